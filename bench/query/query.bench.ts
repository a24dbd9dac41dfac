/**
 * `npm run bench:query`: the query-api under concurrent load (autocannon), each figure beside a
 * ceiling measured in the same run on the same data:
 *   - summary p99 over 24 h of 1m windows of one series (1,440 digests read and merged)
 *       ceilings: the raw SELECT of the 1,440 rows; decoding + merging them in process
 *   - a 1-hour 1m series from Redis (hot tier)
 *       ceiling: the raw ZRANGEBYSCORE of the same history
 * Writes bench/results/query-<time>.json and query-latest.json. Needs the local stack
 * (`npm run stack -- up`). Targets: summary < 50 ms p99, hot series < 10 ms p99.
 */
import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import Redis from 'ioredis';
import { Pool } from 'pg';
import { ApiKeyRepository, ApiKeyService } from '@streammetrics/auth';
import { historyKey, tagsHash } from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';
import {
  aggregate,
  rng,
  startQueryApi,
  writeCold,
  writeHot,
  type Aggregate,
} from '../../libs/query/src/testing/query.fixtures';

const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const MINUTE = 60_000;

interface Row {
  case: string;
  what: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  target?: string;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Runs `op` from `concurrency` loops for `seconds`; latencies in ms. */
async function loop(
  seconds: number,
  concurrency: number,
  op: () => Promise<unknown>,
): Promise<Omit<Row, 'case' | 'what'>> {
  const latencies: number[] = [];
  const end = performance.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        await op();
        latencies.push(performance.now() - t);
      }
    }),
  );
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    rps: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}

interface CannonResult {
  non2xx: number;
  errors: number;
  requests: { total: number; average: number };
  latency: { p50: number; p99: number };
}

/** autocannon in its own process, so the load generator does not compete with the measuring loop. */
async function cannon(url: string, key: string): Promise<Omit<Row, 'case' | 'what'>> {
  const cli = join(__dirname, '..', '..', 'node_modules', 'autocannon', 'autocannon.js');
  const args = [
    cli,
    '-j',
    '-c',
    String(CONNECTIONS),
    '-d',
    String(DURATION_S),
    '-H',
    `authorization=Bearer ${key}`,
    url,
  ];
  const stdout = await new Promise<string>((resolve, reject) =>
    execFile(process.execPath, args, { maxBuffer: 16 * 1024 * 1024 }, (err, out) =>
      err ? reject(err) : resolve(out),
    ),
  );
  const r = JSON.parse(stdout) as CannonResult;
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  return { requests: r.requests.total, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99 };
}

async function main(): Promise<void> {
  const pg = new Pool({ connectionString: DATABASE_URL, max: CONNECTIONS });
  const redis = new Redis(REDIS_URL);
  const service = `bench-query-${Date.now().toString(36)}`;
  const metric = 'http.server.duration';
  const now = Date.now();
  const nowMinute = Math.floor(now / MINUTE) * MINUTE;
  const random = rng(1);
  const values = (n: number) =>
    Array.from({ length: n }, () => Math.round(50 * Math.exp(random() * 2) * 10) / 10);

  // 24 h of 1m windows ending 2 h ago (all cold), 300 values each; and the last hour in Redis.
  const coldFrom = nowMinute - 26 * 60 * MINUTE;
  const cold: Aggregate[] = Array.from({ length: 1440 }, (_, i) =>
    aggregate(service, metric, {}, '1m', coldFrom + i * MINUTE, values(300)),
  );
  const hot: Aggregate[] = Array.from({ length: 60 }, (_, i) =>
    aggregate(service, metric, {}, '1m', nowMinute - (60 - i) * MINUTE, values(300)),
  );
  process.stdout.write(`seeding ${service}: 1,440 cold windows, 60 hot windows\n`);
  await writeCold(pg, cold);
  for (const a of hot) await writeHot(redis, a);
  const { key } = await new ApiKeyService(new ApiKeyRepository(pg), { pepper: LOCAL_API_KEY_PEPPER }).create({
    name: 'bench',
    clientId: 'bench',
    scopes: ['read'],
  });
  const api = await startQueryApi({
    ...process.env,
    DATABASE_URL,
    REDIS_URL,
    LOG_LEVEL: 'error',
  });
  const rows: Row[] = [];
  try {
    const from = coldFrom;
    const to = coldFrom + 1440 * MINUTE;
    const summaryUrl = `${api.url}/api/v1/summary?service=${service}&metric=${metric}&from=${from}&to=${to}&q=0.5,0.99,0.999`;
    // The first summary reads and merges all 24 hours (nothing cached yet): timed apart.
    const t0 = performance.now();
    const check = (await (
      await fetch(summaryUrl, { headers: { authorization: `Bearer ${key}` } })
    ).json()) as { windows: { cold: number } };
    const firstRequests = [performance.now() - t0];
    if (check.windows.cold !== 1440)
      throw new Error(`summary merged ${JSON.stringify(check.windows)} windows, expected 1440 cold`);
    const seriesUrl = `${api.url}/api/v1/series?service=${service}&metric=${metric}&window=1m&from=${nowMinute - 60 * MINUTE}&to=${now}`;
    const warm = async (url: string) => {
      for (let i = 0; i < 20; i++) await fetch(url, { headers: { authorization: `Bearer ${key}` } });
    };
    await warm(summaryUrl);
    await warm(seriesUrl);

    firstRequests.sort((a, b) => a - b);
    rows.push({
      case: 'summary 24h, uncached hours',
      what: 'GET /api/v1/summary, the first request (one sample)',
      requests: firstRequests.length,
      rps: 1000 / (firstRequests.reduce((a, b) => a + b, 0) / firstRequests.length),
      p50: percentile(firstRequests, 50),
      p99: percentile(firstRequests, 99),
    });
    rows.push({
      case: 'summary 24h (1,440 digests)',
      what: `GET /api/v1/summary, ${CONNECTIONS} connections`,
      ...(await cannon(summaryUrl, key)),
      target: 'p99 < 50 ms',
    });
    const select = () =>
      pg.query(
        `SELECT count, sum, min, max, digest FROM metric_aggregates
          WHERE service_id = $1 AND metric_name = $2 AND window_size = '1m' AND tags_hash = $3
            AND "timestamp" >= $4 AND "timestamp" < $5 ORDER BY "timestamp"`,
        [service, metric, tagsHash({}), new Date(from), new Date(to)],
      );
    rows.push({
      case: 'ceiling: raw SELECT of the 1,440 rows',
      what: `pg, ${CONNECTIONS} concurrent`,
      ...(await loop(DURATION_S, CONNECTIONS, select)),
    });
    const { rows: digestRows } = await select();
    const merge = async () => {
      const d = TDigest.mergeAll(
        digestRows.map((r: { digest: Buffer }) => TDigest.fromBytes(new Uint8Array(r.digest))),
      );
      d.quantiles([0.5, 0.99, 0.999]);
    };
    rows.push({
      case: 'ceiling: decode + merge 1,440 digests',
      what: 'in process, 1 loop',
      ...(await loop(Math.min(5, DURATION_S), 1, merge)),
    });

    rows.push({
      case: 'hot series 1h (60 x 1m)',
      what: `GET /api/v1/series, ${CONNECTIONS} connections`,
      ...(await cannon(seriesUrl, key)),
      target: 'p99 < 10 ms',
    });
    const hk = historyKey(service, metric, '1m', {});
    rows.push({
      case: 'ceiling: raw ZRANGEBYSCORE of the hour',
      what: `ioredis, ${CONNECTIONS} concurrent`,
      ...(await loop(DURATION_S, CONNECTIONS, () => redis.zrangebyscore(hk, nowMinute - 60 * MINUTE, now))),
    });
  } finally {
    await api.close();
    await pg.end();
    redis.disconnect();
  }

  const table = [
    '| case | how | requests | req/s | p50 ms | p99 ms | target |',
    '|---|---|---:|---:|---:|---:|---|',
    ...rows.map(
      (r) =>
        `| ${r.case} | ${r.what} | ${r.requests} | ${r.rps.toFixed(0)} | ${r.p50.toFixed(2)} | ${r.p99.toFixed(2)} | ${r.target ?? ''} |`,
    ),
  ].join('\n');
  process.stdout.write(`\n${table}\n`);
  const result = {
    bench: 'query',
    at: new Date().toISOString(),
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    durationSeconds: DURATION_S,
    connections: CONNECTIONS,
    note: 'measured on a shared 2-core machine; the API and the load generator share the cores',
    rows,
  };
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = result.at.replace(/[:.]/g, '-');
  writeFileSync(join(dir, `query-${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(dir, 'query-latest.json'), JSON.stringify(result, null, 2) + '\n');
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
