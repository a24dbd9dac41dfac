/*
 * Throughput and latency of the aggregate sink against the local stack, with a ceiling measured in
 * the same run.
 *   npm run bench:sink              150,000 records per store, 20 s of 5,000 records/s
 *   npm run bench:sink -- --quick   30,000 records per store, 6 s of 5,000 records/s
 * Throughput: a backlog of aggregate records (many series, interim updates and finals of all four
 * window sizes, digests of realistic size) is put on fresh topics, then one store's consumer group
 * drains it; the rate is records consumed per second from the first durable batch to the last.
 * Latency: both groups run while records are produced at a steady rate; per record, the time from
 * its append to the topic (producer CreateTime) to the end of the store write that made it durable.
 * Ceiling: pipelined Redis SET of the same JSON and a multi-row INSERT (no conflict handling) of the
 * same rows into a scratch table. Prints a markdown table and writes bench/results/sink-*.json.
 * Nothing fails on slowness; the machine is shared (2 cores), numbers are noisy when others work.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import type { Producer } from 'kafkajs';
import { Pool } from 'pg';
import { infraShape, loadConfig } from '@streammetrics/config';
import {
  aggregateJson,
  encodeAggregate,
  SERVICES_KEY,
  WINDOW_SPECS,
  topicSpecs,
  windowSpec,
  type AggregateRecord,
  type WindowId,
} from '@streammetrics/contracts';
import { createKafka, provisionTopics } from '@streammetrics/kafka';
import { startSinkContext, type SinkPart } from '@streammetrics/sink';
import { TDigest } from '@streammetrics/tdigest';

const quick = process.argv.includes('--quick');
const BACKLOG = quick ? 30_000 : 150_000;
const LATENCY_RATE = 5_000;
const LATENCY_SECONDS = quick ? 6 : 20;
const SERIES = 20_000;
const cfg = loadConfig(infraShape);
const RUN = `benchsink-${Date.now().toString(36)}-${randomBytes(3).toString('hex')}`;

const kafka = createKafka({ brokers: cfg.KAFKA_BROKERS, clientId: 'bench-sink' });

/** Digests of 20–200 values: the size spread of real 1m–15m windows. */
function digestPool(
  n: number,
): { digest: string; count: number; sum: number; min: number; max: number; q: number[] }[] {
  const out = [];
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
  for (let i = 0; i < n; i++) {
    const d = new TDigest();
    const k = 20 + Math.floor(rnd() * 180);
    for (let j = 0; j < k; j++) d.add(Math.exp(3 + 1.5 * rnd()));
    out.push({
      digest: d.toBase64(),
      count: d.count,
      sum: d.sum,
      min: d.min,
      max: d.max,
      q: d.quantiles([0.5, 0.95, 0.99]),
    });
  }
  return out;
}
const DIGESTS = digestPool(256);

/**
 * The realistic mix: SERIES distinct series (50 services × 400 metrics, a fifth of them
 * service-level rollups, the rest tagged), so versions of one window are a round apart and rarely
 * meet in one fetched batch (the sink keeps only the newest per batch); rounds over all four window sizes in proportion to how often each is emitted (hopping
 * windows are open six at a time), two interim updates then a final per window.
 */
function* mix(tag: string, total: number, baseStart: number): Generator<AggregateRecord> {
  const windows: WindowId[] = ['1m', '1m', '1m-hop10s', '1m-hop10s', '1m-hop10s', '1m-hop10s', '5m', '15m'];
  let made = 0;
  for (let round = 0; made < total; round++) {
    const stage = round % 3; // 0, 1: updates; 2: final
    const windowIndex = Math.floor(round / 3);
    for (let s = 0; s < SERIES && made < total; s++) {
      const w = windows[(s + windowIndex) % windows.length] as WindowId;
      const spec = windowSpec(w);
      const start = baseStart + windowIndex * spec.advanceMs;
      const d = DIGESTS[(s * 31 + round) % DIGESTS.length] as (typeof DIGESTS)[number];
      const serviceId = `${RUN}-${tag}-svc-${s % 50}`;
      const rollup = s % 5 === 0;
      made++;
      yield {
        serviceId,
        metricName: `metric.${Math.floor(s / 50)}`,
        tags: rollup
          ? {}
          : { endpoint: `/api/v1/r${s % 40}`, method: s % 2 ? 'GET' : 'POST', region: 'eu-west-1' },
        window: { type: spec.type, size: spec.size, start, end: start + spec.sizeMs },
        count: d.count,
        sum: d.sum,
        min: d.min,
        max: d.max,
        avg: d.sum / d.count,
        rate: d.count / (spec.sizeMs / 1000),
        p50: d.q[0] as number,
        p95: d.q[1] as number,
        p99: d.q[2] as number,
        digest: d.digest,
        final: stage === 2,
        streamTime: start + (stage + 1) * 20_000,
        emittedAt: Date.now(),
      };
    }
  }
}

function topicOf(prefix: string, r: AggregateRecord): string {
  const spec = WINDOW_SPECS.find((w) => w.type === r.window.type && w.size === r.window.size);
  return `${prefix}${spec?.topic}`;
}

async function produceBacklog(
  producer: Producer,
  prefix: string,
  records: Iterable<AggregateRecord>,
): Promise<number> {
  let n = 0;
  let chunk: AggregateRecord[] = [];
  const flush = async () => {
    const byTopic = new Map<string, { key: string; value: Buffer }[]>();
    for (const r of chunk) {
      const t = topicOf(prefix, r);
      byTopic.set(t, [...(byTopic.get(t) ?? []), { key: r.serviceId, value: encodeAggregate(r) }]);
    }
    await producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    n += chunk.length;
    chunk = [];
  };
  for (const r of records) {
    chunk.push(r);
    if (chunk.length === 2_000) await flush();
  }
  if (chunk.length > 0) await flush();
  return n;
}

function percentile(sorted: number[], q: number): number {
  return sorted.length === 0
    ? NaN
    : (sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number);
}

function sink(
  prefix: string,
  parts: SinkPart[],
  onDurable: (store: 'redis' | 'postgres', l: number[]) => void,
) {
  return startSinkContext({
    kafkaBrokers: cfg.KAFKA_BROKERS,
    databaseUrl: cfg.DATABASE_URL,
    redisUrl: cfg.REDIS_URL,
    topicPrefix: prefix,
    replicationFactor: 1,
    groupPrefix: `${prefix}`,
    parts,
    onDurable,
  });
}

async function drain(store: 'redis' | 'postgres', prefix: string, total: number) {
  let consumed = 0;
  let first = 0;
  let firstBatch = 0;
  let last = 0;
  let done: () => void = () => undefined;
  const finished = new Promise<void>((r) => (done = r));
  const started = sink(prefix, [store], (_s, l) => {
    const now = performance.now();
    if (first === 0) {
      first = now;
      firstBatch = l.length;
    }
    consumed += l.length;
    last = now;
    if (consumed >= total) done();
  });
  const { runtime, close } = await started;
  await finished;
  const writes = await runtime.metrics.batchSize.get();
  const written = writes.values.find((v) => v.metricName === 'streammetrics_sink_batch_size_sum')?.value ?? 0;
  await close();
  return {
    store,
    records: consumed,
    writtenAfterDedupe: written,
    seconds: (last - first) / 1000,
    perSecond: (consumed - firstBatch) / ((last - first) / 1000),
  };
}

async function redisCeiling(records: AggregateRecord[]): Promise<number> {
  const redis = new Redis(cfg.REDIS_URL);
  const values = records.map((r) => aggregateJson(r));
  const t0 = performance.now();
  for (let i = 0; i < values.length; i += 1_000) {
    const p = redis.pipeline();
    for (let j = i; j < Math.min(values.length, i + 1_000); j++)
      p.set(`${RUN}:ceiling:${j}`, values[j] as string, 'EX', 60);
    await p.exec();
  }
  const rate = values.length / ((performance.now() - t0) / 1000);
  redis.disconnect();
  return rate;
}

async function postgresCeiling(pool: Pool, records: AggregateRecord[]): Promise<number> {
  const table = `${RUN.replace(/-/g, '_')}_ceiling`;
  await pool.query(`CREATE UNLOGGED TABLE ${table} (LIKE metric_aggregates INCLUDING DEFAULTS)`);
  try {
    const t0 = performance.now();
    for (let i = 0; i < records.length; i += 1_000) {
      const rs = records.slice(i, i + 1_000);
      const col = <T>(f: (r: AggregateRecord) => T) => rs.map(f);
      await pool.query(
        `INSERT INTO ${table} ("timestamp", service_id, metric_name, window_size, window_start, window_end, count, sum, avg,
           min, max, rate, p50, p95, p99, tags, tags_hash, digest, is_final, stream_time)
         SELECT * FROM unnest($1::timestamptz[], $2::text[], $3::text[], $4::text[], $1::timestamptz[], $5::timestamptz[],
           $6::bigint[], $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::float8[], $12::float8[], $13::float8[],
           $14::float8[], $15::jsonb[], $16::text[], $17::bytea[], $18::boolean[], $19::bigint[])`,
        [
          col((r) => new Date(r.window.start).toISOString()),
          col((r) => r.serviceId),
          col((r) => r.metricName),
          col((r) => r.window.size),
          col((r) => new Date(r.window.end).toISOString()),
          col((r) => r.count),
          col((r) => r.sum),
          col((r) => r.avg),
          col((r) => r.min),
          col((r) => r.max),
          col((r) => r.rate),
          col((r) => r.p50),
          col((r) => r.p95),
          col((r) => r.p99),
          col((r) => JSON.stringify(r.tags)),
          col((r) => r.serviceId.slice(-16)),
          col((r) => Buffer.from(r.digest, 'base64')),
          col((r) => r.final),
          col((r) => r.streamTime),
        ],
      );
    }
    return records.length / ((performance.now() - t0) / 1000);
  } finally {
    await pool.query(`DROP TABLE ${table}`);
  }
}

async function latencyRun(prefix: string) {
  const lat: Record<'redis' | 'postgres', number[]> = { redis: [], postgres: [] };
  const started = sink(prefix, ['redis', 'postgres'], (s, l) => {
    for (const x of l) lat[s].push(x);
  });
  const { close } = await started;
  await sleep(3_000); // both groups joined before the clock starts
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const perTick = LATENCY_RATE / 100; // every 10 ms
  const gen = mix('lat', LATENCY_RATE * LATENCY_SECONDS, Date.now() - 3_600_000);
  const t0 = performance.now();
  let sent = 0;
  for (let tick = 0; tick < LATENCY_SECONDS * 100; tick++) {
    const batch: AggregateRecord[] = [];
    for (let i = 0; i < perTick; i++) {
      const r = gen.next();
      if (!r.done) batch.push(r.value);
    }
    const byTopic = new Map<string, { key: string; value: Buffer }[]>();
    for (const r of batch) {
      const t = topicOf(prefix, r);
      byTopic.set(t, [...(byTopic.get(t) ?? []), { key: r.serviceId, value: encodeAggregate(r) }]);
    }
    void producer.sendBatch({
      acks: -1,
      topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
    });
    sent += batch.length;
    const wait = t0 + (tick + 1) * 10 - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const achieved = sent / ((performance.now() - t0) / 1000);
  const deadline = Date.now() + 60_000;
  while ((lat.redis.length < sent || lat.postgres.length < sent) && Date.now() < deadline) {
    await sleep(200);
  }
  await producer.disconnect();
  await close();
  const summary = (xs: number[]) => {
    const s = xs.slice().sort((a, b) => a - b);
    return { n: s.length, p50: percentile(s, 0.5), p99: percentile(s, 0.99), max: s[s.length - 1] ?? NaN };
  };
  return {
    targetRate: LATENCY_RATE,
    achievedRate: achieved,
    redis: summary(lat.redis),
    postgres: summary(lat.postgres),
  };
}

async function main(): Promise<void> {
  const started = Date.now();
  const pool = new Pool({ connectionString: cfg.DATABASE_URL, max: 4 });
  const producer = kafka.producer({ idempotent: true });
  await producer.connect();
  const prefixes = { redis: `${RUN}-r-`, postgres: `${RUN}-p-`, latency: `${RUN}-l-` };
  const specs = Object.values(prefixes).flatMap((p) => topicSpecs(p));
  // A fresh broker answers metadata for brand-new topics a little late; provisioning is idempotent.
  for (let attempt = 0; ; attempt++) {
    try {
      await provisionTopics(kafka, specs, 1);
      break;
    } catch (err) {
      if (attempt >= 4) throw err;
      await sleep(1_000);
    }
  }
  const base = Math.floor((Date.now() - 3_000_000) / 60_000) * 60_000;
  process.stderr.write(`[bench:sink] producing 2 × ${BACKLOG} records...\n`);
  await produceBacklog(producer, prefixes.redis, mix('r', BACKLOG, base));
  await produceBacklog(producer, prefixes.postgres, mix('p', BACKLOG, base));
  await producer.disconnect();

  const sample = [...mix('c', Math.min(BACKLOG, 50_000), base)];
  process.stderr.write('[bench:sink] ceilings...\n');
  const ceilingRedis = await redisCeiling(sample);
  const ceilingPg = await postgresCeiling(pool, sample);
  process.stderr.write('[bench:sink] draining into Redis...\n');
  const redisDrain = await drain('redis', prefixes.redis, BACKLOG);
  process.stderr.write('[bench:sink] draining into PostgreSQL...\n');
  const pgDrain = await drain('postgres', prefixes.postgres, BACKLOG);
  process.stderr.write(`[bench:sink] ${LATENCY_RATE} records/s for ${LATENCY_SECONDS} s...\n`);
  const latency = await latencyRun(prefixes.latency);

  // Clean up what the run put in the shared stores and on the broker.
  await pool.query(`DELETE FROM metric_aggregates WHERE service_id LIKE $1`, [`${RUN}-%`]);
  await pool.end();
  const redis = new Redis(cfg.REDIS_URL);
  const services = (await redis.zrange(SERVICES_KEY, 0, -1)).filter((s) => s.startsWith(RUN));
  if (services.length > 0) await redis.zrem(SERVICES_KEY, ...services);
  redis.disconnect();
  const admin = kafka.admin();
  await admin.connect();
  await admin
    .deleteTopics({ topics: Object.values(prefixes).flatMap((p) => topicSpecs(p).map((t) => t.topic)) })
    .catch(() => undefined);
  await admin.disconnect();

  const f = (x: number) => Math.round(x).toLocaleString('en-US');
  const table = [
    '| measure | result | target | ceiling (same run) |',
    '|---|---|---|---|',
    `| aggregates/s into Redis (${f(BACKLOG)} backlog) | ${f(redisDrain.perSecond)} | ≥ 50,000 | pipelined SET: ${f(ceilingRedis)}/s |`,
    `| aggregates/s into PostgreSQL (${f(BACKLOG)} backlog) | ${f(pgDrain.perSecond)} | ≥ 20,000 | multi-row INSERT: ${f(ceilingPg)}/s |`,
    `| rows written after per-batch dedupe (Redis / PostgreSQL) | ${f(redisDrain.writtenAfterDedupe)} / ${f(pgDrain.writtenAfterDedupe)} of ${f(BACKLOG)} | | |`,
    `| topic→Redis p50 / p99 at ${f(latency.achievedRate)}/s | ${f(latency.redis.p50)} / ${f(latency.redis.p99)} ms | p99 < 100 ms | |`,
    `| topic→PostgreSQL p50 / p99 at ${f(latency.achievedRate)}/s | ${f(latency.postgres.p50)} / ${f(latency.postgres.p99)} ms | | |`,
  ].join('\n');
  process.stdout.write(`\n${table}\n\n`);
  const result = {
    bench: 'sink',
    quick,
    at: new Date(started).toISOString(),
    durationSeconds: (Date.now() - started) / 1000,
    machine: {
      cpus: cpus().length,
      model: cpus()[0]?.model,
      node: process.version,
      note: 'shared 2-core machine; noisy when others work',
    },
    throughput: { redis: redisDrain, postgres: pgDrain },
    ceiling: { redisPipelinedSetPerSecond: ceilingRedis, postgresMultiRowInsertPerSecond: ceilingPg },
    latency,
    targets: { postgresPerSecond: 20_000, redisPerSecond: 50_000, redisP99Ms: 100 },
  };
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const body = JSON.stringify(result, null, 2);
  writeFileSync(join(dir, `sink-${result.at.replace(/[:.]/g, '-')}.json`), body);
  writeFileSync(join(dir, 'sink-latest.json'), body);
}

main().then(
  () => process.exit(0),
  (err: Error) => {
    process.stderr.write(`[bench:sink] ${err.stack}\n`);
    process.exit(1);
  },
);
