import { Redis } from 'ioredis';
import type { Producer } from 'kafkajs';
import { Pool } from 'pg';
import {
  historyKey,
  isNewerVersion,
  latestKey,
  metricsOfServiceKey,
  seriesIndexKey,
  topicSpecs,
  windowIdOf,
  windowSpec,
  tagsHash,
  type AggregateRecord,
  type WindowId,
} from '@streammetrics/contracts';
import { provisionTopics } from '@streammetrics/kafka';
import { startSinkContext, type SinkContext, type SinkOptions } from '@streammetrics/sink';
import { testEnv, testKafka, uniqueName } from '@streammetrics/testing';

export async function provisionPrefix(prefix: string): Promise<void> {
  await provisionTopics(testKafka(), topicSpecs(prefix), 1);
}

/** Counts the records each store made durable, so a test can wait for "everything consumed". */
export class DurableCounter {
  readonly counts = { redis: 0, postgres: 0 };
  readonly onDurable = (store: 'redis' | 'postgres', latencies: number[]) => {
    this.counts[store] += latencies.length;
  };
}

/** The sink as the app wires it, on `prefix`'s topics; `started` resolves once its groups joined. */
export function startSink(
  prefix: string,
  overrides: Partial<SinkOptions> = {},
): { counter: DurableCounter; started: Promise<SinkContext> } {
  const env = testEnv();
  const counter = new DurableCounter();
  const started = startSinkContext({
    kafkaBrokers: env.kafkaBrokers,
    databaseUrl: env.databaseUrl,
    redisUrl: env.redisUrl,
    topicPrefix: prefix,
    replicationFactor: 1,
    groupPrefix: `${uniqueName('g')}-`,
    parts: ['redis', 'postgres', 'deadletters'],
    partitionsConsumedConcurrently: 4,
    onDurable: counter.onDurable,
    ...overrides,
  });
  return { counter, started };
}

/** Sends aggregate records to their window's topic in one Kafka transaction, as the processor does. */
export async function sendAggregates(
  producer: Producer,
  prefix: string,
  records: readonly (AggregateRecord | { raw: Buffer; window: WindowId; key: string })[],
  opts: { abort?: boolean } = {},
): Promise<void> {
  const byTopic = new Map<string, { key: string; value: Buffer; headers: Record<string, string> }[]>();
  for (const r of records) {
    const isRaw = 'raw' in r;
    const window = isRaw ? r.window : windowIdOf(r.window);
    const topic = `${prefix}${windowSpec(window).topic}`;
    const list = byTopic.get(topic) ?? [];
    list.push(
      isRaw
        ? { key: r.key, value: r.raw, headers: { emit: 'final' } }
        : {
            key: r.serviceId,
            value: Buffer.from(JSON.stringify(r)),
            headers: { emit: r.final ? 'final' : 'update' },
          },
    );
    byTopic.set(topic, list);
  }
  const tx = await producer.transaction();
  try {
    await tx.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    if (opts.abort) await tx.abort();
    else await tx.commit();
  } catch (err) {
    await tx.abort().catch(() => undefined);
    throw err;
  }
}

export async function transactionalProducer(): Promise<Producer> {
  const p = testKafka('sink-e2e').producer({
    transactionalId: uniqueName('sink-e2e-tx'),
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await p.connect();
  return p;
}

/** The newest version of each window (isNewerVersion), keyed like the stores key it. */
export function expectedWindows(records: readonly AggregateRecord[]): Map<string, AggregateRecord> {
  const out = new Map<string, AggregateRecord>();
  for (const r of records) {
    const id = windowIdentity(r);
    if (isNewerVersion(r, out.get(id))) out.set(id, r);
  }
  return out;
}

export function windowIdentity(
  r: Pick<AggregateRecord, 'serviceId' | 'metricName' | 'tags' | 'window'>,
): string {
  return [r.serviceId, r.metricName, tagsHash(r.tags), windowIdOf(r.window), r.window.start].join('|');
}

export interface StoreSnapshot {
  rows: Record<string, unknown>[];
  redis: Record<string, unknown>;
}

/** Every row and every Redis value the sink wrote for these services (the registries' members too). */
export async function snapshot(
  pool: Pool,
  redis: Redis,
  services: readonly string[],
  series: readonly { serviceId: string; metricName: string; tags: Record<string, string> }[],
): Promise<StoreSnapshot> {
  const rows = (
    await pool.query(
      `SELECT * FROM metric_aggregates WHERE service_id = ANY($1)
        ORDER BY service_id, metric_name, tags_hash, window_size, "timestamp"`,
      [services],
    )
  ).rows;
  const out: Record<string, unknown> = {};
  const windows: WindowId[] = ['1m', '5m', '15m', '1m-hop10s'];
  for (const s of series) {
    for (const w of windows) {
      const h = historyKey(s.serviceId, s.metricName, w, s.tags);
      out[h] = await redis.zrange(h, 0, -1, 'WITHSCORES');
      const l = latestKey(s.serviceId, s.metricName, w);
      out[l] = await redis.get(l);
    }
    out[seriesIndexKey(s.serviceId, s.metricName)] = await redis.hgetall(
      seriesIndexKey(s.serviceId, s.metricName),
    );
    out[metricsOfServiceKey(s.serviceId)] = await redis.zrange(
      metricsOfServiceKey(s.serviceId),
      0,
      -1,
      'WITHSCORES',
    );
  }
  return { rows, redis: out };
}

export function stores(): { pool: Pool; redis: Redis } {
  const env = testEnv();
  return { pool: new Pool({ connectionString: env.databaseUrl, max: 2 }), redis: new Redis(env.redisUrl) };
}
