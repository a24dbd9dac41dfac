import { setTimeout as sleep } from 'node:timers/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { AlertRulesRepository, startAlertingContext, type AlertingContext } from '@streammetrics/alerting';
import { encodeAggregate, type AggregateRecord } from '@streammetrics/contracts';
import type { AlertRule } from '@streammetrics/contracts/api';
import { percentile } from './stats';

export interface PipelineEnv {
  kafka: Kafka;
  brokers: string[];
  databaseUrl: string;
  log: (m: string) => void;
}

/** A webhook receiver that answers 200 at once and notes when each alert arrived. */
export async function startReceiver(): Promise<{
  server: Server;
  url: string;
  arrivals: Map<string, number>;
}> {
  const arrivals = new Map<string, number>();
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const at = Date.now();
      const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as {
        status: string;
        alerts: { labels: Record<string, string> }[];
      };
      for (const a of body.alerts) if (body.status === 'firing') arrivals.set(a.labels.service ?? '', at);
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, arrivals };
}

export async function replaceRules(pool: Pool, rules: AlertRule[]): Promise<void> {
  await pool.query('DELETE FROM alert_rules');
  const repo = new AlertRulesRepository(pool);
  await repo.syncFileRules(
    rules.map(({ id, source: _s, createdAt: _c, updatedAt: _u, ...spec }) => ({ id, spec })),
  );
}

/** The alerting app's own wiring (AlertingModule), started. */
function startAlerting(env: PipelineEnv, prefix: string, groupId: string): Promise<AlertingContext> {
  return startAlertingContext({
    kafkaBrokers: env.brokers,
    databaseUrl: env.databaseUrl,
    topicPrefix: prefix,
    groupId,
    fromBeginning: true,
    externalUrl: 'http://bench',
    rulesPollMs: 500,
  });
}

export interface PipelineThroughput {
  recordsPerSecond: number;
  seconds: number;
  notifications: number;
}

/**
 * The alerting app's own runtime over records already on the topic: from start until the offsets
 * it stored with the states cover every record (evaluation, PostgreSQL commits, dispatch).
 */
export async function measurePipeline(
  env: PipelineEnv,
  prefix: string,
  records: readonly AggregateRecord[],
  groupId: string,
): Promise<PipelineThroughput> {
  const pool = new Pool({ connectionString: env.databaseUrl, max: 2 });
  const t0 = Date.now();
  const app = await startAlerting(env, prefix, groupId);
  let done = 0;
  while (done < records.length) {
    await sleep(100);
    const r = await pool.query<{ n: string }>(
      'SELECT coalesce(sum(next_offset), 0) AS n FROM alert_offsets WHERE group_id = $1',
      [groupId],
    );
    done = Number(r.rows[0]?.n ?? 0);
    if (Date.now() - t0 > 600_000) throw new Error(`alerting pipeline stuck at ${done}/${records.length}`);
  }
  const seconds = (Date.now() - t0) / 1000;
  const n = await pool.query<{ n: string }>(
    `SELECT count(*) AS n FROM alert_notifications WHERE rule_id LIKE 'bench-%' AND created_at > to_timestamp($1 / 1000.0)`,
    [t0],
  );
  await app.close();
  await pool.end();
  return { recordsPerSecond: records.length / seconds, seconds, notifications: Number(n.rows[0]?.n ?? 0) };
}

export async function produce(
  kafka: Kafka,
  topic: string,
  records: readonly AggregateRecord[],
): Promise<void> {
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < records.length; i += 2_000) {
    await producer.send({
      topic,
      acks: -1,
      messages: records
        .slice(i, i + 2_000)
        .map((r) => ({ key: r.serviceId, value: encodeAggregate(r), headers: { emit: 'final' } })),
    });
  }
  await producer.disconnect();
}

export interface DetectionLatency {
  samples: number;
  alertingP50Ms: number;
  alertingP99Ms: number;
  kafkaP50Ms: number;
  kafkaP99Ms: number;
}

/**
 * Detection latency: one breaching final window at a time, `emittedAt` stamped as it is produced
 * (what the processor stamps when it emits), until its webhook arrives. The ceiling is the same
 * records' produce-to-receipt time in a plain read_committed kafkajs consumer with the same fetch
 * wait, in the same run: what any consumer of the topic pays before it can evaluate anything.
 */
export async function measureDetection(
  env: PipelineEnv,
  prefix: string,
  samples: number,
  backgroundRules: AlertRule[],
  pool: Pool,
): Promise<DetectionLatency> {
  const topic = `${prefix}metrics-aggregated-1m`;
  const receiver = await startReceiver();
  const rule: AlertRule = {
    id: 'bench-detect',
    name: 'bench-detect',
    metric: 'bench.detect',
    window: '1m',
    stat: 'p99',
    op: '>',
    threshold: 100,
    receivers: [receiver.url],
    source: 'api',
    createdAt: '',
    updatedAt: '',
  };
  await replaceRules(pool, [...backgroundRules, rule]);
  const groupId = `bench-detect-${Date.now()}`;
  const app = await startAlerting(env, prefix, groupId);
  const plain = env.kafka.consumer({
    groupId: `${groupId}-plain`,
    maxWaitTimeInMs: 100,
    readUncommitted: false,
  });
  const seen = new Map<string, number>();
  await plain.connect();
  await plain.subscribe({ topics: [topic], fromBeginning: false });
  await plain.run({
    eachMessage: async ({ message }) => {
      seen.set(message.key?.toString() ?? '', Date.now());
    },
  });
  await sleep(5_000); // both groups joined
  const producer = env.kafka.producer();
  await producer.connect();
  const emitted = new Map<string, number>();
  const start = Math.floor(Date.now() / 60_000) * 60_000;
  for (let i = 0; i < samples; i++) {
    const service = `detect-${groupId}-${i}`;
    const emittedAt = Date.now();
    const record: AggregateRecord = {
      serviceId: service,
      metricName: 'bench.detect',
      tags: {},
      window: { type: 'tumbling', size: '1m', start, end: start + 60_000 },
      count: 10,
      sum: 2500,
      min: 200,
      max: 300,
      avg: 250,
      rate: 10 / 60,
      p50: 250,
      p95: 295,
      p99: 299,
      digest: '',
      final: true,
      streamTime: start + 70_000,
      emittedAt,
    };
    emitted.set(service, emittedAt);
    await producer.send({ topic, acks: -1, messages: [{ key: service, value: encodeAggregate(record) }] });
    await sleep(200);
  }
  const deadline = Date.now() + 30_000;
  while ([...emitted.keys()].some((s) => !receiver.arrivals.has(s)) && Date.now() < deadline)
    await sleep(100);
  await producer.disconnect();
  await plain.disconnect();
  await app.close();
  receiver.server.close();

  const alerting = [...receiver.arrivals]
    .filter(([s]) => emitted.has(s))
    .map(([s, at]) => at - (emitted.get(s) ?? at));
  const kafka = [...seen].filter(([s]) => emitted.has(s)).map(([s, at]) => at - (emitted.get(s) ?? at));
  if (alerting.length < samples) env.log(`only ${alerting.length}/${samples} alerts arrived`);
  return {
    samples: alerting.length,
    alertingP50Ms: percentile(alerting, 0.5),
    alertingP99Ms: percentile(alerting, 0.99),
    kafkaP50Ms: percentile(kafka, 0.5),
    kafkaP99Ms: percentile(kafka, 0.99),
  };
}
