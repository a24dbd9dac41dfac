import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort, testEnv } from '@streammetrics/testing';

const ROOT = join(__dirname, '..', '..', '..');

export interface RunningGateway {
  url: string;
  port: number;
  /** Everything the process wrote, for failure messages. */
  output: () => string;
  /** The process's exit code once it exited (null before, or when a signal ended it). */
  exitCode: () => number | null;
  signal: () => NodeJS.Signals | null;
  stop: () => Promise<void>;
}

async function waitFor(
  url: string,
  proc: ChildProcess,
  output: () => string,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`gateway exited with ${proc.exitCode}:\n${output()}`);
    try {
      if ((await fetch(url)).status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(200);
  }
  throw new Error(`gateway not up at ${url} within ${timeoutMs} ms:\n${output()}`);
}

/**
 * The real app (`node -r @swc-node/register apps/ingest-gateway/src/main.ts`, as `npm start` runs it)
 * against the test stack; `env` overrides. Waits for liveness, or readiness when `waitReady`.
 */
export async function startGateway(
  env: Record<string, string>,
  opts: { waitReady?: boolean } = {},
): Promise<RunningGateway> {
  const stack = testEnv();
  const port = await freePort();
  const proc = spawn(process.execPath, ['-r', '@swc-node/register', 'apps/ingest-gateway/src/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      KAFKA_BROKERS: stack.kafkaBrokers.join(','),
      DATABASE_URL: stack.databaseUrl,
      REDIS_URL: stack.redisUrl,
      LOG_LEVEL: 'warn',
      GATEWAY_PORT: String(port),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (b: Buffer) => {
    out = (out + b.toString()).slice(-4_000_000);
  };
  proc.stdout?.on('data', keep);
  proc.stderr?.on('data', keep);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
    await exited;
    clearTimeout(timer);
  };
  try {
    await waitFor(`${url}/health/${opts.waitReady === false ? 'live' : 'ready'}`, proc, () => out, 60_000);
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, port, output: () => out, exitCode: () => proc.exitCode, signal: () => proc.signalCode, stop };
}
