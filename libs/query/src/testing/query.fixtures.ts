/**
 * Test fixtures: aggregates written straight into Redis and PostgreSQL in the documented formats
 * (libs/contracts hot-store.format.ts, the metric_aggregates schema), and the real query-api
 * process on a free port. Used by the query e2e specs and the query benchmark.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import type { Pool } from 'pg';
import {
  canonicalTags,
  historyKey,
  HOT_TTL_SECONDS,
  latestKey,
  metricsOfServiceKey,
  SERVICES_KEY,
  seriesIndexKey,
  tagsHash,
  seededRandom,
  windowSpec,
  type AggregateRecord,
  type WindowId,
} from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';
import { freePort } from '@streammetrics/testing';

/** A deterministic pseudo-random stream, so every run writes the same values. */
export const rng = seededRandom;

export interface Aggregate extends AggregateRecord {
  windowId: WindowId | '1h' | '1d';
}

/** An aggregate of `values` for one window, with the statistics a processor would compute. */
export function aggregate(
  serviceId: string,
  metricName: string,
  tags: Record<string, string>,
  windowId: WindowId,
  start: number,
  values: number[],
  final = true,
): Aggregate {
  const spec = windowSpec(windowId);
  const d = new TDigest();
  d.addMany(values);
  const [p50, p95, p99] = d.quantiles([0.5, 0.95, 0.99]);
  const sum = values.reduce((a, b) => a + b, 0);
  return {
    windowId,
    serviceId,
    metricName,
    tags: canonicalTags(tags),
    window: { type: spec.type, size: spec.size, start, end: start + spec.sizeMs },
    count: values.length,
    sum,
    min: Math.min(...values),
    max: Math.max(...values),
    avg: sum / values.length,
    rate: values.length / (spec.sizeMs / 1000),
    p50: p50 as number,
    p95: p95 as number,
    p99: p99 as number,
    digest: d.toBase64(),
    final,
    streamTime: start + spec.sizeMs + 1000,
    emittedAt: start + spec.sizeMs + 1100,
  };
}

/** Writes what the sink writes to Redis for one aggregate (history, index, services, latest). */
export async function writeHot(redis: Redis, a: Aggregate): Promise<void> {
  const { windowId, ...record } = a;
  const w = windowId as WindowId;
  const p = redis.multi();
  const key = historyKey(a.serviceId, a.metricName, w, a.tags);
  p.zremrangebyscore(key, a.window.start, a.window.start);
  p.zadd(key, a.window.start, JSON.stringify(record));
  p.expire(key, HOT_TTL_SECONDS);
  p.hset(seriesIndexKey(a.serviceId, a.metricName), tagsHash(a.tags), JSON.stringify(a.tags));
  p.expire(seriesIndexKey(a.serviceId, a.metricName), HOT_TTL_SECONDS);
  p.zadd(SERVICES_KEY, 'GT', a.streamTime, a.serviceId);
  p.expire(SERVICES_KEY, HOT_TTL_SECONDS);
  p.zadd(metricsOfServiceKey(a.serviceId), 'GT', a.streamTime, a.metricName);
  p.expire(metricsOfServiceKey(a.serviceId), HOT_TTL_SECONDS);
  if (Object.keys(a.tags).length === 0)
    p.set(latestKey(a.serviceId, a.metricName, w), JSON.stringify(record), 'EX', HOT_TTL_SECONDS);
  await p.exec();
}

const TABLES = {
  raw: 'metric_aggregates',
  '1h': 'metric_rollups_hourly',
  '1d': 'metric_rollups_daily',
} as const;
const PARTITION_UNIT = { raw: 'day', '1h': 'month', '1d': 'year' } as const;

/** Upserts aggregates into metric_aggregates (or a rollup table for windowId 1h / 1d), in one statement per 500. */
export async function writeCold(pg: Pool, aggregates: Aggregate[]): Promise<void> {
  const kind = (a: Aggregate) => (a.windowId === '1h' || a.windowId === '1d' ? a.windowId : 'raw');
  const partitions = new Set(
    aggregates.map((a) => `${kind(a)}|${new Date(a.window.start).toISOString().slice(0, 10)}`),
  );
  for (const p of partitions) {
    const [k, day] = p.split('|') as [keyof typeof TABLES, string];
    await pg.query('SELECT sm_ensure_partition($1, $2, $3)', [TABLES[k], PARTITION_UNIT[k], new Date(day)]);
  }
  for (let i = 0; i < aggregates.length; i += 500) {
    const batch = aggregates.slice(i, i + 500);
    for (const k of Object.keys(TABLES) as (keyof typeof TABLES)[]) {
      const rows = batch.filter((a) => kind(a) === k);
      if (rows.length === 0) continue;
      const params: unknown[] = [];
      const values = rows.map((a) => {
        const base = params.length;
        params.push(
          new Date(a.window.start),
          a.serviceId,
          a.metricName,
          a.windowId,
          new Date(a.window.end),
          a.count,
          a.sum,
          a.avg,
          a.min,
          a.max,
          a.rate,
          a.p50,
          a.p95,
          a.p99,
          JSON.stringify(a.tags),
          tagsHash(a.tags),
          Buffer.from(a.digest, 'base64'),
          a.final,
          a.streamTime,
        );
        const ph = Array.from({ length: 19 }, (_, j) => `$${base + j + 1}`);
        return `(${ph[0]}, ${ph.slice(1, 4).join(', ')}, ${ph[0]}, ${ph.slice(4).join(', ')})`;
      });
      await pg.query(
        `INSERT INTO ${TABLES[k]} ("timestamp", service_id, metric_name, window_size, window_start, window_end,
           count, sum, avg, min, max, rate, p50, p95, p99, tags, tags_hash, digest, is_final, stream_time)
         VALUES ${values.join(', ')}
         ON CONFLICT (service_id, metric_name, tags_hash, window_size, "timestamp") DO UPDATE SET
           count = EXCLUDED.count, sum = EXCLUDED.sum, avg = EXCLUDED.avg, min = EXCLUDED.min, max = EXCLUDED.max,
           rate = EXCLUDED.rate, p50 = EXCLUDED.p50, p95 = EXCLUDED.p95, p99 = EXCLUDED.p99,
           digest = EXCLUDED.digest, is_final = EXCLUDED.is_final, stream_time = EXCLUDED.stream_time`,
        params,
      );
    }
  }
}

export interface RunningQueryApi {
  url: string;
  port: number;
  /** The process's pid (with QUERY_WORKERS=1 the one serving the requests). */
  pid: number;
  /** Everything the process printed, for assertions and failure messages. */
  output(): string;
  close(): Promise<void>;
}

const ROOT = join(__dirname, '..', '..', '..', '..');

/**
 * Starts the real query-api as `npm start` does (node -r @swc-node/register apps/query-api/src/main.ts)
 * on a free port and waits until it is ready. `env` is the whole environment of the process (pass
 * the caller's PATH and friends along): this helper reads no configuration of its own.
 */
export async function startQueryApi(
  env: Record<string, string | undefined>,
  readyTimeoutMs = 60_000,
): Promise<RunningQueryApi> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'apps/query-api/src/main.ts'],
    {
      cwd: ROOT,
      env: {
        LOG_LEVEL: 'warn',
        DASHBOARD_BUILD_ON_START: 'false',
        ...env,
        QUERY_PORT: String(port),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`query-api exited with ${child.exitCode}:\n${out}`);
    try {
      const res = await fetch(`${url}/health/ready`);
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`query-api not ready within ${readyTimeoutMs} ms:\n${out}`);
    }
    await sleep(200);
  }
  return {
    url,
    port,
    pid: child.pid as number,
    output: () => out,
    close: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export { Redis };
