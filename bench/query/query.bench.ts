/**
 * `npm run bench:query`: the query-api's hot routes under load from a separate autocannon process,
 * each beside ceilings measured in the same run on the same data:
 *   - summary over 24 h of 1m windows of one series (1,440 digests read and merged), p50/p99 at
 *     BENCH_CONNECTIONS (8); ceilings: the raw SELECT of the 1,440 rows, decoding + merging them in
 *     process
 *   - the first summary of a series nobody asked for yet (nothing cached; the process is warm)
 *   - a 1-hour series of 1m windows from Redis (hot tier); ceilings: a bare Fastify route answering
 *     the same ZRANGEBYSCORE's members as they are, and the raw ZRANGEBYSCORE from ioredis
 * Targets (issue 17): hot series p99 <= 10 ms, summary p99 <= 20 ms, first summary <= 50 ms.
 * Writes bench/results/query-<time>.json and query-latest.json. Needs the local stack
 * (`npm run stack -- up`). BENCH_DURATION_S (10), BENCH_QUERY_WORKERS (1), BENCH_LOG_LEVEL (warn),
 * BENCH_QUERY_NODE_ARGS (node flags of the query-api, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`),
 * BENCH_LABEL (written with the results, e.g. the commit measured).
 */
import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
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
import { autocannon } from '../gateway/load';

const ROOT = join(__dirname, '..', '..');
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const DURATION_S = Number(process.env.BENCH_DURATION_S ?? 10);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 8);
const WORKERS = process.env.BENCH_QUERY_WORKERS ?? '1';
/** Series whose first summary is timed (each asked once, nothing of it cached). */
const FIRST_SAMPLES = 5;
const MINUTE = 60_000;
const log = (m: string) => process.stderr.write(`[bench:query] ${m}\n`);

interface Row {
  case: string;
  how: string;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** The bound a target holds this row's p99 (or, for one-off samples, its worst) to. */
  targetMs?: number;
  /** The ceiling row this one is compared with. */
  ceiling?: string;
  /** CPU time the serving process spent per request (user + system), where it is a process of its own. */
  cpuMsPerRequest?: number;
}

const CLOCK_TICKS_PER_SECOND = 100; // USER_HZ, on every Linux of the last decades

/**
 * CPU ms (user + system) spent so far by `pid` and its direct children (cluster workers). Less
 * sensitive to other work on a shared machine than latency: it is what each request costs, not
 * how long it waited for a core.
 */
function cpuMs(pid: number): number {
  const of = (p: number) => {
    // Fields after the command (which is in parentheses and may hold spaces): utime is the 12th.
    const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLOCK_TICKS_PER_SECOND;
  };
  const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim();
  return of(pid) + (children ? children.split(' ').reduce((n, c) => n + of(Number(c)), 0) : 0);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

/** Runs `op` from `concurrency` loops for `seconds`; latencies in ms. */
async function loop(
  seconds: number,
  concurrency: number,
  op: () => Promise<unknown>,
): Promise<Pick<Row, 'requests' | 'rps' | 'p50' | 'p99'>> {
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

/** autocannon in its own process, so the load generator does not share an event loop with anyone. */
async function cannon(url: string, headers: Record<string, string>, pid: number) {
  const cpu0 = cpuMs(pid);
  const r = await autocannon({ url, headers, connections: CONNECTIONS, durationSec: DURATION_S });
  if (r.non2xx > 0 || r.errors > 0) throw new Error(`${url}: ${r.non2xx} non-2xx, ${r.errors} errors`);
  const cpuMsPerRequest = (cpuMs(pid) - cpu0) / r.total;
  return { requests: r.total, rps: r.reqPerSec, p50: r.p50Ms, p99: r.p99Ms, cpuMsPerRequest };
}

/** The bare-route ceiling as its own process; resolves with its port. */
function startBareRoute(key: string) {
  const proc = spawn(
    process.execPath,
    ['-r', '@swc-node/register', 'bench/query/bare-route.ts', REDIS_URL, key],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] },
  );
  return new Promise<{ port: number; pid: number; stop: () => void }>((resolve, reject) => {
    let out = '';
    proc.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      const m = /listening (\d+)/.exec(out);
      if (m) resolve({ port: Number(m[1]), pid: proc.pid as number, stop: () => proc.kill('SIGTERM') });
    });
    proc.once('exit', (code) => reject(new Error(`bare route exited with ${code}`)));
  });
}

const withService = (a: Aggregate, serviceId: string): Aggregate => ({ ...a, serviceId });

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

  // 24 h of 1m windows ending 2 h ago (all cold), 300 values each; and the last hour in Redis. The
  // same 24 h under other service names: a warm-up series and the ones whose first summary is timed.
  const coldFrom = nowMinute - 26 * 60 * MINUTE;
  const cold: Aggregate[] = Array.from({ length: 1440 }, (_, i) =>
    aggregate(service, metric, {}, '1m', coldFrom + i * MINUTE, values(300)),
  );
  const hot: Aggregate[] = Array.from({ length: 60 }, (_, i) =>
    aggregate(service, metric, {}, '1m', nowMinute - (60 - i) * MINUTE, values(300)),
  );
  const fresh = Array.from({ length: FIRST_SAMPLES + 1 }, (_, i) => `${service}-first${i}`);
  log(`seeding ${service}: 1,440 cold windows (x${fresh.length + 1} series), 60 hot windows`);
  await writeCold(pg, cold);
  for (const s of fresh)
    await writeCold(
      pg,
      cold.map((a) => withService(a, s)),
    );
  for (const a of hot) await writeHot(redis, a);
  const keys = new ApiKeyService(new ApiKeyRepository(pg), { pepper: LOCAL_API_KEY_PEPPER });
  const { key, record } = await keys.create({ name: 'bench', clientId: 'bench', scopes: ['read'] });
  const loadBefore = loadavg();
  const api = await startQueryApi({
    ...process.env,
    DATABASE_URL,
    REDIS_URL,
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    QUERY_WORKERS: WORKERS,
    // The per-key budget is still counted on every request; it must not refuse the load itself.
    QUERY_RATE_PER_KEY: '1000000',
    NODE_OPTIONS: process.env.BENCH_QUERY_NODE_ARGS ?? '',
  });
  const hk = historyKey(service, metric, '1m', {});
  const bare = await startBareRoute(hk);
  const auth = { authorization: `Bearer ${key}` };
  const rows: Row[] = [];
  try {
    const from = coldFrom;
    const to = coldFrom + 1440 * MINUTE;
    const summaryUrl = (s: string) =>
      `${api.url}/api/v1/summary?service=${s}&metric=${metric}&from=${from}&to=${to}&q=0.5,0.99,0.999`;
    const summary = async (s: string) => {
      const res = await fetch(summaryUrl(s), { headers: auth });
      const body = (await res.json()) as { windows?: { cold: number } };
      if (body.windows?.cold !== 1440)
        throw new Error(`summary of ${s}: ${res.status} ${JSON.stringify(body)}, expected 1440 cold windows`);
    };
    const hotFrom = nowMinute - 60 * MINUTE;
    const seriesUrl = `${api.url}/api/v1/series?service=${service}&metric=${metric}&window=1m&from=${hotFrom}&to=${now}`;
    const warm = async (url: string) => {
      for (let i = 0; i < 20; i++) await (await fetch(url, { headers: auth })).arrayBuffer();
    };
    // Warm the process (code, connections) on another series, then time first summaries one by one.
    await warm(summaryUrl(fresh[0] as string));
    await warm(seriesUrl);
    const firsts: number[] = [];
    for (const s of fresh.slice(1)) {
      const t0 = performance.now();
      await summary(s);
      firsts.push(performance.now() - t0);
    }
    firsts.sort((a, b) => a - b);
    rows.push({
      case: 'summary 24h, first request of a series',
      how: `GET /api/v1/summary, ${FIRST_SAMPLES} series one after another (p99 column: the worst)`,
      requests: firsts.length,
      rps: 1000 / (firsts.reduce((a, b) => a + b, 0) / firsts.length),
      p50: percentile(firsts, 50),
      p99: firsts[firsts.length - 1] as number,
      targetMs: 50,
      ceiling: 'ceiling: raw SELECT of the 1,440 rows',
    });
    await summary(service);
    await warm(summaryUrl(service));
    log('summary under load...');
    rows.push({
      case: 'summary 24h (1,440 digests)',
      how: `GET /api/v1/summary, ${CONNECTIONS} connections`,
      ...(await cannon(summaryUrl(service), auth, api.pid)),
      targetMs: 20,
      ceiling: 'ceiling: raw SELECT of the 1,440 rows',
    });
    const select = () =>
      pg.query(
        `SELECT count, sum, min, max, digest FROM metric_aggregates
          WHERE service_id = $1 AND metric_name = $2 AND window_size = '1m' AND tags_hash = $3
            AND "timestamp" >= $4 AND "timestamp" < $5 ORDER BY "timestamp"`,
        [service, metric, tagsHash({}), new Date(from), new Date(to)],
      );
    log('raw SELECT...');
    rows.push({
      case: 'ceiling: raw SELECT of the 1,440 rows',
      how: `pg, ${CONNECTIONS} concurrent`,
      ...(await loop(DURATION_S, CONNECTIONS, select)),
    });
    const { rows: digestRows } = await select();
    const merge = async () => {
      const d = TDigest.mergeAll(
        digestRows.map((r: { digest: Buffer }) => TDigest.fromBytes(new Uint8Array(r.digest))),
      );
      d.quantiles([0.5, 0.99, 0.999]);
    };
    log('decode + merge...');
    rows.push({
      case: 'ceiling: decode + merge 1,440 digests',
      how: 'in process, 1 loop',
      ...(await loop(Math.min(5, DURATION_S), 1, merge)),
    });

    log('hot series under load...');
    rows.push({
      case: 'hot series 1h (60 x 1m)',
      how: `GET /api/v1/series, ${CONNECTIONS} connections`,
      ...(await cannon(seriesUrl, auth, api.pid)),
      targetMs: 10,
      ceiling: 'ceiling: bare Fastify route, same ZRANGEBYSCORE',
    });
    log('bare route...');
    rows.push({
      case: 'ceiling: bare Fastify route, same ZRANGEBYSCORE',
      how: `GET, members answered as stored, ${CONNECTIONS} connections`,
      ...(await cannon(`http://127.0.0.1:${bare.port}/hot?from=${hotFrom}&to=${now}`, {}, bare.pid)),
    });
    log('raw ZRANGEBYSCORE...');
    rows.push({
      case: 'ceiling: raw ZRANGEBYSCORE of the hour',
      how: `ioredis, ${CONNECTIONS} concurrent`,
      ...(await loop(DURATION_S, CONNECTIONS, () => redis.zrangebyscoreBuffer(hk, hotFrom, now - 1))),
    });
  } finally {
    bare.stop();
    await api.close();
    await keys.revoke(record.id).catch(() => undefined);
    await pg.end();
    redis.disconnect();
  }
  const loadAfter = loadavg();

  const byCase = (c: string | undefined) => rows.find((r) => r.case === c);
  const fmt = (n: number, d = 2) => n.toLocaleString('en-US', { maximumFractionDigits: d });
  const table = [
    '| case | how | requests | req/s | p50 ms | p99 ms | CPU ms/req | p99 / ceiling p99 | target | met |',
    '|---|---|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows.map((r) => {
      const c = byCase(r.ceiling);
      const ratio = c ? `${fmt(r.p99 / c.p99)}x (${c.case.replace('ceiling: ', '')})` : '';
      const target = r.targetMs === undefined ? '' : `p99 <= ${r.targetMs} ms`;
      const met = r.targetMs === undefined ? '' : r.p99 <= r.targetMs ? 'met' : 'not reached';
      const cpu = r.cpuMsPerRequest === undefined ? '' : fmt(r.cpuMsPerRequest, 3);
      return `| ${r.case} | ${r.how} | ${r.requests} | ${fmt(r.rps, 0)} | ${fmt(r.p50)} | ${fmt(r.p99)} | ${cpu} | ${ratio} | ${target} | ${met} |`;
    }),
  ].join('\n');
  const loadLine = `load average ${loadBefore.map((l) => l.toFixed(2)).join(' ')} before, ${loadAfter
    .map((l) => l.toFixed(2))
    .join(' ')} after (${cpus().length} cores, shared: API, load generator and stores on the same cores)`;
  const label = process.env.BENCH_LABEL ?? '';
  process.stdout.write(
    `\n${table}\n\n${label ? `${label}; ` : ''}query-api workers: ${WORKERS}; ${loadLine}\n`,
  );
  const result = {
    bench: 'query',
    label,
    at: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, node: process.version },
    loadavg: { before: loadBefore, after: loadAfter },
    durationSeconds: DURATION_S,
    connections: CONNECTIONS,
    queryWorkers: Number(WORKERS),
    note: 'measured on a shared 2-core machine; the API, the load generator and the stores share the cores',
    rows: rows.map((r) => ({
      ...r,
      met: r.targetMs === undefined ? undefined : r.p99 <= r.targetMs,
    })),
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const stamp = result.at.replace(/[:.]/g, '-');
  writeFileSync(join(dir, `query-${stamp}.json`), JSON.stringify(result, null, 2) + '\n');
  writeFileSync(join(dir, 'query-latest.json'), JSON.stringify(result, null, 2) + '\n');
}

main().catch((err: Error) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
