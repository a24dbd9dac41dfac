import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LoadtestSummary } from '../../scripts/loadtest/loadtest.stats';
import { spawnScript } from '../../scripts/start/platform';
import { ProcessMonitor } from '../harness/proc.monitor';
import { RunningProcess } from '../harness/run.process';

export interface LoadPlan {
  url: string;
  key: string;
  eventsPerSecond: number;
  batch: number;
  durationSec: number;
  connections: number;
}

/**
 * `npm run loadtest` (autocannon, bodies from the seeded fleet model with fresh ids and
 * timestamps) in its own process, so the load never shares the probes' event loop. Resolves with
 * its summary when it has run its duration.
 */
export function runLoad(plan: LoadPlan): {
  done: Promise<LoadtestSummary>;
  /** The load generator's CPU seconds so far (kept after it exited). */
  cpuSeconds: () => number;
  stop: () => Promise<void>;
} {
  const dir = mkdtempSync(join(tmpdir(), 'bench-e2e-'));
  const json = join(dir, 'load.json');
  const proc = new RunningProcess(
    'loadtest',
    spawnScript(
      join('scripts', 'loadtest.ts'),
      [
        ...['--url', plan.url, '--key', plan.key],
        ...['--rate', String(Math.round(plan.eventsPerSecond / plan.batch)), '--batch', String(plan.batch)],
        ...['--duration', `${plan.durationSec}s`, '--connections', String(plan.connections)],
        ...['--json', json],
      ],
      process.env,
    ),
  );
  const monitor = new ProcessMonitor(proc.pid, 250);
  const done = new Promise<LoadtestSummary>((resolve, reject) =>
    proc.child.once('exit', (code) => {
      monitor.stop();
      try {
        resolve(JSON.parse(readFileSync(json, 'utf8')) as LoadtestSummary);
      } catch {
        reject(new Error(`loadtest exited ${code} without a summary:\n${proc.output()}`));
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }),
  );
  return { done, cpuSeconds: () => monitor.sample().cpuSeconds, stop: () => proc.stop(5_000) };
}
