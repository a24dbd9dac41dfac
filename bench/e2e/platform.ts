import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import type { StackEndpoints } from '../../scripts/stack/stack.service';
import { localKeys, platformEnv, spawnApp, type LocalKeys } from '../../scripts/start/platform';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessMonitor, type ProcSample } from '../harness/proc.monitor';
import { RunningProcess } from '../harness/run.process';

/** The apps on the way from an HTTP POST to a dashboard's WebSocket, in the order data passes them. */
export const PIPELINE_APPS = ['ingest-gateway', 'stream-processor', 'aggregate-sink', 'query-api'] as const;
export type PipelineApp = (typeof PIPELINE_APPS)[number];

/** The variable that sets each app's HTTP port (health, /metrics, and the API where it has one). */
const PORT_VARIABLE: Record<PipelineApp, string> = {
  'ingest-gateway': 'GATEWAY_PORT',
  'stream-processor': 'PROCESSOR_HTTP_PORT',
  'aggregate-sink': 'SINK_HTTP_PORT',
  'query-api': 'QUERY_PORT',
};

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      s.close(() => resolve(typeof addr === 'object' && addr ? addr.port : 0));
    });
  });
}

export interface Platform {
  keys: LocalKeys;
  ports: Record<PipelineApp, number>;
  apps: RunningProcess[];
  /** CPU seconds and peak RSS per app, read now. */
  sample(): Record<string, ProcSample>;
  stop(): Promise<Record<string, ProcSample>>;
}

/**
 * Starts the four pipeline apps as `npm start` does (scripts/start/platform: same keys, same
 * environment, same entry points), on free ports so a run never collides with anybody's
 * `npm start`, and waits until every app reports ready. `overrides` is the benchmark's own
 * configuration on top (topic prefix, workers, log level).
 */
export async function startPlatform(
  ep: StackEndpoints,
  overrides: Record<string, string>,
  log: (m: string) => void,
): Promise<Platform> {
  const keys = localKeys();
  const ports = {} as Record<PipelineApp, number>;
  for (const app of PIPELINE_APPS) ports[app] = await freePort();
  const apps: RunningProcess[] = [];
  const monitors = new Map<string, ProcessMonitor>();
  const sample = () => Object.fromEntries([...monitors].map(([name, m]) => [name, m.sample()]));
  const stop = async () => {
    const last = sample();
    for (const m of monitors.values()) m.stop();
    await Promise.all(apps.map((a) => a.stop()));
    return last;
  };
  try {
    for (const app of PIPELINE_APPS) {
      const env = platformEnv(ep, keys, {
        ...process.env,
        ...overrides,
        [PORT_VARIABLE[app]]: String(ports[app]),
      });
      const proc = new RunningProcess(app, spawnApp(app, env), (line) => {
        if (/"level":(50|60)/.test(line) || /^\s*(Error|TypeError|RangeError)\b/.test(line))
          log(`${app}: ${line.slice(0, 400)}`);
      });
      apps.push(proc);
      monitors.set(app, new ProcessMonitor(proc.pid, 500));
    }
    await Promise.all(PIPELINE_APPS.map((app, i) => waitReady(app, ports[app], apps[i] as RunningProcess)));
    log(`ready: ${PIPELINE_APPS.map((a) => `${a} :${ports[a]}`).join(', ')}`);
  } catch (err) {
    await stop();
    throw err;
  }
  return { keys, ports, apps, sample, stop };
}

async function waitReady(app: string, port: number, proc: RunningProcess, capMs = 180_000): Promise<void> {
  const deadline = Date.now() + capMs;
  let last = '';
  while (Date.now() < deadline) {
    if (proc.exit)
      throw new Error(`${app} exited (${proc.exit.signal ?? proc.exit.code}):\n${proc.output()}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`, {
        signal: AbortSignal.timeout(2_000),
      });
      if (res.ok) return;
      last = `${res.status} ${(await res.text()).slice(0, 300)}`;
    } catch (err) {
      last = (err as Error).message;
    }
    await sleep(500);
  }
  throw new Error(`${app} not ready within ${capMs / 1000} s (${last}):\n${proc.output()}`);
}

/** A process's average CPU use between two samples, in cores. */
export function cores(
  before: ProcSample | undefined,
  after: ProcSample | undefined,
  seconds: number,
): number {
  return before && after && seconds > 0 ? (after.cpuSeconds - before.cpuSeconds) / seconds : NaN;
}

/**
 * The share of the last 60 s in which some runnable task waited for a CPU (Linux PSI,
 * /proc/pressure/cpu "some avg60"), in percent; undefined where the kernel does not report it.
 * On a shared machine it says how much of a latency is waiting for a core.
 */
export function cpuPressure(): number | undefined {
  try {
    const m = /some avg10=[\d.]+ avg60=([\d.]+)/.exec(readFileSync('/proc/pressure/cpu', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}
