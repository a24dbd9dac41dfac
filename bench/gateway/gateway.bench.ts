/**
 * `npm run bench:gateway [-- --quick]`: events/s and latency of apps/ingest-gateway at batch sizes
 * 1, 10, 100, with load from a separate autocannon process on loopback; in the same run, the ceiling
 * of a bare Fastify route and of a plain kafkajs producer sending the same events. Prints a markdown
 * table and writes bench/results/gateway-<time>.json (+ gateway-latest.json).
 */
import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
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
const TARGETS = { eventsPerSecBatch100: 200_000, reqPerSecBatch1: 15_000, p99MsAtHalfLoad: 20 };
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
    await new Promise((r) => setTimeout(r, 200));
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

  const gwPort = 18000 + Math.floor(Math.random() * 1000);
  const gateway = await startProcess(
    ['apps/ingest-gateway/src/main.ts'],
    {
      KAFKA_BROKERS: ep.kafkaBrokers.join(','),
      DATABASE_URL: ep.databaseUrl,
      REDIS_URL: ep.redisUrl,
      TOPIC_PREFIX: prefix,
      GATEWAY_PORT: String(gwPort),
      LOG_LEVEL: 'warn',
    },
    // Logs are at warn: nothing to wait for on stdout; readiness (Kafka connected) says when.
    null,
    // BENCH_GATEWAY_NODE_ARGS passes node flags through, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
    (process.env.BENCH_GATEWAY_NODE_ARGS ?? '').split(' ').filter(Boolean),
  );
  await waitReady(`http://127.0.0.1:${gwPort}/health/ready`);
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
      const max = await run('gateway', `http://127.0.0.1:${gwPort}/api/v1/events`, auth);
      await run('gateway', `http://127.0.0.1:${gwPort}/api/v1/events`, auth, max.reqPerSec / 2);
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
    gateway.proc.kill('SIGTERM');
    bare.proc.kill('SIGTERM');
    // An unlimited key must not outlive the run.
    await keys.revoke(record.id).catch(() => undefined);
    await pool.end();
  }

  const g = (b: number, load: 'max' | 'half') =>
    rows.find((r) => r.target === 'gateway' && r.batch === b && r.load === load)!;
  const checks = {
    eventsPerSecBatch100: {
      measured: Math.round(g(100, 'max').eventsPerSec),
      target: `>= ${TARGETS.eventsPerSecBatch100}`,
    },
    reqPerSecBatch1: { measured: Math.round(g(1, 'max').reqPerSec), target: `>= ${TARGETS.reqPerSecBatch1}` },
    p99MsAtHalfLoad: {
      measured: Object.fromEntries(BATCHES.map((b) => [`batch${b}`, g(b, 'half').p99Ms])),
      target: `< ${TARGETS.p99MsAtHalfLoad}`,
    },
  };
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
  process.stdout.write(
    `\n${table}\n\nTargets: ${TARGETS.eventsPerSecBatch100.toLocaleString('en-US')} events/s at batch 100 (measured ${fmt(checks.eventsPerSecBatch100.measured)}), ` +
      `${TARGETS.reqPerSecBatch1.toLocaleString('en-US')} req/s at batch 1 (measured ${fmt(checks.reqPerSecBatch1.measured)}), ` +
      `p99 < ${TARGETS.p99MsAtHalfLoad} ms at half load (measured ${BATCHES.map((b) => `${fmt(g(b, 'half').p99Ms, 1)}`).join(' / ')} ms at batch ${BATCHES.join(' / ')}).\n` +
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
