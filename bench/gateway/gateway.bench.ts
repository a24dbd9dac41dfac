/**
 * `npm run bench:gateway [-- --quick]`: events/s and latency of apps/ingest-gateway with one worker
 * and with one per core (GATEWAY_WORKERS), at batch sizes 1, 10, 100, with load from a separate
 * autocannon process on loopback; in the same run, the ceiling of a bare Fastify route and of a
 * plain kafkajs producer sending the same events. Prints a markdown
 * table and writes bench/results/gateway-<time>.json (+ gateway-latest.json).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { availableParallelism, cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pool } from 'pg';
import { ApiKeyRepository, ApiKeyService } from '@streammetrics/auth';
import { loadStackConfig } from '../../scripts/stack/stack.config';
import { provisionAndMigrate, stackUp } from '../../scripts/stack/stack.service';
import { autocannon, type LoadResult } from './load';
import { kafkaPeer } from './kafka-peer';

const ROOT = join(__dirname, '..', '..');
const quick = process.argv.includes('--quick');
const DURATION = quick ? 3 : 10;
const BATCHES = [1, 10, 100];
const WORKERS = availableParallelism();
const ONE = 'gateway 1 worker';
const ALL = `gateway ${WORKERS} workers`;
const log = (m: string) => process.stderr.write(`[bench:gateway] ${m}\n`);

function event(i: number) {
  return {
    timestamp: Date.now(),
    serviceId: `svc-${i % 8}`,
    instanceId: `svc-${i % 8}-pod-${i % 3}`,
    metricType: 'HTTP_REQUEST',
    metricName: 'api.request.duration',
    value: 100 + (i % 250),
    unit: 'milliseconds',
    tags: { endpoint: `/api/v1/items/${i % 16}`, method: 'POST', statusCode: '200', region: 'us-east-1' },
  };
}

function startProcess(
  args: string[],
  env: Record<string, string>,
  /** A line that says the process is up; null when readiness is probed another way. */
  ready: RegExp | null,
  nodeArgs: string[] = [],
): Promise<{ proc: ChildProcess; line: string }> {
  const proc = spawn(process.execPath, [...nodeArgs, '-r', '@swc-node/register', ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    if (ready === null) resolve({ proc, line: '' });
    let out = '';
    const onData = (b: Buffer) => {
      out += b.toString();
      const m = ready?.exec(out);
      if (m) resolve({ proc, line: m[0] });
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`${args[0]} exited ${code}:\n${out.slice(-3000)}`)));
  });
}

async function waitReady(url: string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not yet
    }
    await sleep(200);
  }
  throw new Error(`${url} never became ready`);
}

interface Row {
  target: string;
  batch: number;
  load: 'max' | 'half';
  reqPerSec: number;
  eventsPerSec: number;
  p50Ms?: number;
  p99Ms?: number;
  non2xx?: number;
}

async function main(): Promise<void> {
  const cfg = loadStackConfig();
  const ep = await stackUp(cfg, log);
  const prefix = `bench-${Date.now().toString(36)}-`;
  await provisionAndMigrate(ep, 1, log, prefix);
  const pool = new Pool({ connectionString: ep.databaseUrl, max: 1 });
  const keys = new ApiKeyService(new ApiKeyRepository(pool), { pepper: LOCAL_API_KEY_PEPPER });
  const { key, record } = await keys.create({
    name: 'bench',
    clientId: 'bench',
    scopes: ['ingest'],
    ratePerSecond: 1_000_000_000,
  });

  // BENCH_GATEWAY_PORT: the first of two ports for the gateways (default: random in 18000-18998).
  const basePort = Number(process.env.BENCH_GATEWAY_PORT ?? 18000 + Math.floor(Math.random() * 999));
  let nextPort = basePort;
  const startGateway = async (workers: number) => {
    const port = nextPort++;
    const gw = await startProcess(
      ['apps/ingest-gateway/src/main.ts'],
      {
        KAFKA_BROKERS: ep.kafkaBrokers.join(','),
        DATABASE_URL: ep.databaseUrl,
        REDIS_URL: ep.redisUrl,
        TOPIC_PREFIX: prefix,
        GATEWAY_PORT: String(port),
        GATEWAY_WORKERS: String(workers),
        LOG_LEVEL: 'warn',
      },
      // Logs are at warn: nothing to wait for on stdout; readiness (Kafka connected) says when.
      null,
      // BENCH_GATEWAY_NODE_ARGS passes node flags through, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
      (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
    );
    await waitReady(`http://127.0.0.1:${port}/health/ready`);
    return { ...gw, url: `http://127.0.0.1:${port}/api/v1/events` };
  };
  // Both run side by side: only the one under load spends CPU.
  const gateways = [
    { target: ONE, ...(await startGateway(1)) },
    { target: ALL, ...(await startGateway(WORKERS)) },
  ];
  const bare = await startProcess(['bench/gateway/bare-fastify.ts', '0'], {}, /listening (\d+)/);
  const barePort = Number(/listening (\d+)/.exec(bare.line)![1]);

  const rows: Row[] = [];
  const dir = mkdirSync(join(tmpdir(), `sm-bench-${process.pid}`), { recursive: true }) ?? tmpdir();
  const auth = { 'content-type': 'application/json', authorization: `Bearer ${key}` };
  try {
    for (const batch of BATCHES) {
      const bodyFile = join(dir, `events-${batch}.json`);
      writeFileSync(
        bodyFile,
        JSON.stringify(batch === 1 ? event(0) : Array.from({ length: batch }, (_, i) => event(i))),
      );
      const connections = batch === 100 ? 32 : 64;
      const run = async (target: string, url: string, headers: Record<string, string>, rate?: number) => {
        log(`${target} batch ${batch} ${rate ? `at ${Math.round(rate)} req/s` : 'max'}...`);
        const r: LoadResult = await autocannon({
          url,
          bodyFile,
          headers,
          connections,
          durationSec: DURATION,
          rate,
        });
        rows.push({
          target,
          batch,
          load: rate ? 'half' : 'max',
          reqPerSec: r.reqPerSec,
          eventsPerSec: r.reqPerSec * batch,
          p50Ms: r.p50Ms,
          p99Ms: r.p99Ms,
          non2xx: r.non2xx + r.errors,
        });
        return r;
      };
      await run('bare fastify', `http://127.0.0.1:${barePort}/noop`, { 'content-type': 'application/json' });
      for (const gw of gateways) {
        const max = await run(gw.target, gw.url, auth);
        await run(gw.target, gw.url, auth, max.reqPerSec / 2);
      }
      log(`kafkajs producer batch ${batch}...`);
      const peer = await kafkaPeer({
        brokers: ep.kafkaBrokers,
        topic: `${prefix}metrics-events`,
        messages: (n) =>
          Array.from({ length: n }, (_, i) => {
            const e = { eventId: `${Date.now()}-${i}`, ...event(i) };
            return { key: e.serviceId, value: Buffer.from(JSON.stringify(e)) };
          }),
        batch,
        inFlight: 8,
        durationSec: DURATION,
      });
      rows.push({
        target: 'kafkajs producer',
        batch,
        load: 'max',
        reqPerSec: peer.eventsPerSec / batch,
        eventsPerSec: peer.eventsPerSec,
      });
    }
  } finally {
    for (const gw of gateways) gw.proc.kill('SIGTERM');
    bare.proc.kill('SIGTERM');
    // An unlimited key must not outlive the run.
    await keys.revoke(record.id).catch(() => undefined);
    await pool.end();
  }

  const row = (target: string, b: number, load: 'max' | 'half' = 'max') =>
    rows.find((r) => r.target === target && r.batch === b && r.load === load)!;
  const ratio = (a: number, b: number) => Math.round((a / b) * 100) / 100;
  const checks = [
    ...[1, 10].map((b) => ({
      check: `batch ${b}: ${ONE} req/s >= 0.7x bare Fastify`,
      measured: ratio(row(ONE, b).reqPerSec, row('bare fastify', b).reqPerSec),
      met: row(ONE, b).reqPerSec >= 0.7 * row('bare fastify', b).reqPerSec,
    })),
    ...[1, 10].map((b) => ({
      check: `batch ${b}: ${ONE} p99 <= 20 ms at half of its max`,
      measured: row(ONE, b, 'half').p99Ms ?? NaN,
      met: (row(ONE, b, 'half').p99Ms ?? Infinity) <= 20,
    })),
    {
      check: `batch 100: ${ONE} events/s >= 0.9x plain kafkajs producer`,
      measured: ratio(row(ONE, 100).eventsPerSec, row('kafkajs producer', 100).eventsPerSec),
      met: row(ONE, 100).eventsPerSec >= 0.9 * row('kafkajs producer', 100).eventsPerSec,
    },
    {
      check: `batch 100: ${ALL} events/s >= 200,000`,
      measured: Math.round(row(ALL, 100).eventsPerSec),
      met: row(ALL, 100).eventsPerSec >= 200_000,
    },
  ];
  const fmt = (n: number | undefined, d = 0) =>
    n === undefined ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: d });
  const table = [
    '| target | batch | load | req/s | events/s | p50 ms | p99 ms | non-2xx |',
    '|---|---:|---|---:|---:|---:|---:|---:|',
    ...rows.map(
      (r) =>
        `| ${r.target} | ${r.batch} | ${r.load} | ${fmt(r.reqPerSec)} | ${fmt(r.eventsPerSec)} | ${fmt(r.p50Ms, 1)} | ${fmt(r.p99Ms, 1)} | ${fmt(r.non2xx)} |`,
    ),
  ].join('\n');
  const targets = [
    '| target | measured | met |',
    '|---|---:|---|',
    ...checks.map((c) => `| ${c.check} | ${fmt(c.measured, 2)} | ${c.met ? 'yes' : 'no'} |`),
  ].join('\n');
  process.stdout.write(
    `\n${table}\n\n${targets}\n\n` +
      `Machine: ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} (shared: numbers are provisional).\n`,
  );
  const result = {
    bench: 'gateway',
    at: new Date().toISOString(),
    quick,
    durationSec: DURATION,
    machine: { cores: cpus().length, model: cpus()[0]?.model, loadavg: loadavg(), node: process.version },
    rows,
    checks,
  };
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const json = JSON.stringify(result, null, 2) + '\n';
  writeFileSync(join(out, `gateway-${result.at.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(out, 'gateway-latest.json'), json);
  process.exit(0);
}

main().catch((err: Error) => {
  process.stderr.write(`[bench:gateway] ${err.stack ?? err.message}\n`);
  process.exit(1);
});
