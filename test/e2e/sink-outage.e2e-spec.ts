import { setTimeout as sleep } from 'node:timers/promises';
import type { Redis } from 'ioredis';
import type { Pool } from 'pg';
import { DEAD_LETTER_TOPIC, historyKey, type AggregateRecord } from '@streammetrics/contracts';
import { readTopics, testEnv, testKafka, uniqueName } from '@streammetrics/testing';
import { FaultProxy, makeAggregate, seededValues, waitFor } from '../../libs/sink/src/testing';
import {
  expectedWindows,
  provisionPrefix,
  sendAggregates,
  startSink,
  stores,
  transactionalProducer,
  windowIdentity,
} from './support-sink/sink-harness';

const MINUTE = 60_000;
const OUTAGE_MS = 30_000;
const TICK_MS = 250;
const TICKS = 200; // 50 s of traffic: 5 s before the outage, 30 s of outage, 15 s after
const DOWN_AT_TICK = 20;
const TICKS_PER_WINDOW = 8;
const SERIES = 8;

type Store = 'postgres' | 'redis';

/**
 * Emits what the processor would for SERIES series: an update per tick for the open 1m window
 * (and the open 5m window), a final when a window closes. Returns every record sent.
 */
function tickRecords(services: string[], t0: number, tick: number): AggregateRecord[] {
  const out: AggregateRecord[] = [];
  const k = Math.floor(tick / TICKS_PER_WINDOW);
  const u = tick % TICKS_PER_WINDOW;
  for (const serviceId of services) {
    const start = t0 + k * MINUTE;
    const values = seededValues(k * 1000 + services.indexOf(serviceId), 3 * (u + 1));
    out.push(makeAggregate({ serviceId, start, values, final: false, streamTime: start + (u + 1) * 1000 }));
    if (u === TICKS_PER_WINDOW - 1 || tick === TICKS - 1) {
      out.push(makeAggregate({ serviceId, start, values, final: true, streamTime: start + 70_000 }));
    }
    if (u === 0) {
      const start5 = t0 + Math.floor(k / 5) * 5 * MINUTE;
      const final5 = k % 5 === 4 || tick + TICKS_PER_WINDOW >= TICKS;
      out.push(
        makeAggregate({
          serviceId,
          window: '5m',
          start: start5,
          values,
          final: final5,
          streamTime: start + 60_000,
        }),
      );
    }
  }
  return out;
}

async function missingInPostgres(pool: Pool, expected: Map<string, AggregateRecord>, services: string[]) {
  const rows = (
    await pool.query(
      `SELECT service_id, metric_name, tags, window_size, "timestamp", count, is_final, stream_time
         FROM metric_aggregates WHERE service_id = ANY($1)`,
      [services],
    )
  ).rows as {
    service_id: string;
    metric_name: string;
    tags: Record<string, string>;
    window_size: '1m' | '5m';
    timestamp: Date;
    count: string;
    is_final: boolean;
    stream_time: string;
  }[];
  const seen = new Map<string, string>();
  for (const r of rows) {
    const id = windowIdentity({
      serviceId: r.service_id,
      metricName: r.metric_name,
      tags: r.tags,
      window: { type: 'tumbling', size: r.window_size, start: r.timestamp.getTime(), end: 0 },
    });
    seen.set(id, `${r.count}|${r.is_final}|${r.stream_time}`);
  }
  let wrong = 0;
  for (const [id, e] of expected) if (seen.get(id) !== `${e.count}|${e.final}|${e.streamTime}`) wrong++;
  return { wrong, rows: rows.length };
}

async function missingInRedis(redis: Redis, expected: Map<string, AggregateRecord>) {
  let wrong = 0;
  let members = 0;
  const keys = new Set(
    [...expected.values()].map((r) => historyKey(r.serviceId, r.metricName, r.window.size, r.tags)),
  );
  const got = new Map<string, AggregateRecord>();
  for (const k of keys) {
    const list = await redis.zrange(k, 0, -1);
    members += list.length;
    for (const m of list) {
      const r = JSON.parse(m) as AggregateRecord;
      got.set(windowIdentity(r), r);
    }
  }
  for (const [id, e] of expected) {
    const g = got.get(id);
    if (!g || g.count !== e.count || g.final !== e.final || g.streamTime !== e.streamTime) wrong++;
  }
  return { wrong, members };
}

async function outage(down: Store): Promise<void> {
  const env = testEnv();
  const prefix = `${uniqueName(`sinkout-${down}`)}-`;
  await provisionPrefix(prefix);
  const services = Array.from({ length: SERIES }, (_, i) => `${prefix}svc-${i}`);
  const t0 = Math.floor((Date.now() - 40 * MINUTE) / MINUTE) * MINUTE;
  const pgProxy = FaultProxy.forUrl(env.databaseUrl);
  const redisProxy = FaultProxy.forUrl(env.redisUrl);
  await pgProxy.up();
  await redisProxy.up();
  const proxy = down === 'postgres' ? pgProxy : redisProxy;
  const other: Store = down === 'postgres' ? 'redis' : 'postgres';
  const sink = startSink(prefix, {
    databaseUrl: pgProxy.rewrite(env.databaseUrl),
    redisUrl: redisProxy.rewrite(env.redisUrl),
    retryPolicy: { initialMs: 100, maxMs: 2_000, factor: 2, jitter: 0.2 },
    parts: ['redis', 'postgres'],
  });
  const started = await sink.started;
  const { runtime } = started;
  const { pool, redis } = stores();
  const producer = await transactionalProducer();
  const timeline: string[] = [];
  const tStart = Date.now();
  const mark = (what: string) => timeline.push(`t=${((Date.now() - tStart) / 1000).toFixed(1)}s ${what}`);
  const sent: AggregateRecord[] = [];
  const checks = runtime.checks();
  let otherDuringOutage = 0;
  let readinessFalseSeen = false;
  let consumerCheckFalseSeen = false;
  try {
    mark(`producing ${SERIES} series, ${1000 / TICK_MS} transactions/s`);
    let downAt = 0;
    let otherAtDown = 0;
    let backlog = -1;
    for (let tick = 0; tick < TICKS; tick++) {
      const batch = tickRecords(services, t0, tick);
      await sendAggregates(producer, prefix, batch);
      sent.push(...batch);
      if (tick === DOWN_AT_TICK) {
        await proxy.down();
        downAt = Date.now();
        otherAtDown = sink.counter.counts[other];
        mark(
          `${down} unreachable (proxy down); ${sink.counter.counts[down]} records durable in ${down} so far`,
        );
      }
      if (downAt > 0 && proxy.isUp === false) {
        if (!readinessFalseSeen && !(await checks[down]?.())?.ok) {
          readinessFalseSeen = true;
          mark(`readiness: ${down} check false`);
        }
        if (!consumerCheckFalseSeen && !(await checks[`consumer-${down}`]?.())?.ok) {
          consumerCheckFalseSeen = true;
          mark(`readiness: consumer-${down} false (retrying)`);
        }
        if (Date.now() - downAt >= OUTAGE_MS) {
          otherDuringOutage = sink.counter.counts[other] - otherAtDown;
          await proxy.up();
          backlog = sent.length;
          mark(
            `${down} reachable again (proxy up); ${otherDuringOutage} records reached ${other} during the outage, ` +
              `${down} retried ${await retries(runtime, down)} times`,
          );
        }
      }
      if (backlog >= 0 && sink.counter.counts[down] >= backlog) {
        mark(
          `${down} wrote its backlog: ${sink.counter.counts[down]} records durable (all sent before it came back)`,
        );
        backlog = -1;
      }
      await sleep(TICK_MS);
    }
    mark(`production ended: ${sent.length} records`);
    const expected = expectedWindows(sent);
    await waitFor(
      async () =>
        (down === 'postgres'
          ? (await missingInPostgres(pool, expected, services)).wrong
          : (await missingInRedis(redis, expected)).wrong) === 0,
      { timeoutMs: 60_000, intervalMs: 250, what: `${down} to catch up` },
    );
    mark(`${down} caught up: all ${expected.size} windows present with their newest version`);
    await waitFor(
      async () =>
        (await missingInPostgres(pool, expected, services)).wrong === 0 &&
        (await missingInRedis(redis, expected)).wrong === 0,
      {
        timeoutMs: 30_000,
        what: 'both stores complete',
      },
    );
    process.stdout.write(`\n[sink-outage ${down}]\n  ${timeline.join('\n  ')}\n`);

    // Every window arrived, none twice, nothing skipped, nothing dead-lettered for the outage.
    const pg = await missingInPostgres(pool, expected, services);
    const rd = await missingInRedis(redis, expected);
    expect(pg).toEqual({ wrong: 0, rows: expected.size });
    expect(rd).toEqual({ wrong: 0, members: expected.size });
    expect(otherDuringOutage).toBeGreaterThan(0);
    expect(readinessFalseSeen).toBe(true);
    expect(consumerCheckFalseSeen).toBe(true);
    expect(await retries(runtime, down)).toBeGreaterThan(0);
    const dlq = await readTopics(testKafka(), [`${prefix}${DEAD_LETTER_TOPIC}`], { timeoutMs: 3_000 });
    expect(dlq).toHaveLength(0);
    expect((await checks[down]?.())?.ok).toBe(true);
    expect((await checks[`consumer-${down}`]?.())?.ok).toBe(true);
  } finally {
    await producer.disconnect();
    await started.close();
    await pgProxy.down();
    await redisProxy.down();
    await pool.end();
    redis.disconnect();
  }
}

async function retries(
  runtime: {
    metrics: {
      retries: { get(): Promise<{ values: { labels: { store?: string | number }; value: number }[] }> };
    };
  },
  store: Store,
) {
  const m = await runtime.metrics.retries.get();
  return m.values.find((v) => v.labels.store === store)?.value ?? 0;
}

describe('aggregate-sink: a store outage loses nothing and stalls only its own group', () => {
  it('PostgreSQL unreachable for 30 s while records flow: Redis keeps up, PostgreSQL catches up exactly', () =>
    outage('postgres'));

  it('Redis unreachable for 30 s while records flow: PostgreSQL keeps up, Redis catches up exactly', () =>
    outage('redis'));
});
