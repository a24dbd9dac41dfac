import type { BenchKafka } from './bench.kafka';
import { setTimeout as sleep } from 'node:timers/promises';
import { ProcessMonitor } from './proc.monitor';
import { RunningProcess } from './run.process';
import type { StreamSystem, SystemRun } from './systems';

/** Which part of a run the sustained rate is taken over. */
export interface SteadyStatePlan {
  /** Left out after the first committed progress: JIT, caches, the first transactions. */
  warmupMs: number;
  /** The window the rate is taken over must be at least this long; shorter ones are flagged. */
  minWindowMs: number;
}

/** The steady-state window, in seconds after the system was started. */
export interface RateWindow {
  fromS: number;
  toS: number;
  /** Shorter than the plan's minimum: the input ran out first (the rate is then over all progress). */
  short: boolean;
}

export interface ThroughputResult {
  completed: boolean;
  /** Records committed within `window`, over its length. */
  eventsPerSecond: number;
  /** Length of the window the rate was taken over. */
  seconds: number;
  window: RateWindow;
  /** From start to everything committed, start-up and group join included. */
  wallSeconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  error?: string;
  note?: string;
}

/**
 * Runs a system over the whole input topic and measures it from the outside: its consumer group's
 * committed offsets (polled via the admin API; with exactly once they only move when a transaction
 * commits), its CPU seconds and peak RSS (/proc). Sustained events/s = records committed within a
 * steady-state window, over its length: from `warmupMs` after the first sample showing progress
 * (start-up, the group join and the warm-up are excluded) to the sample showing all of them.
 */
export async function measureThroughput(
  bk: BenchKafka,
  system: StreamSystem,
  run: SystemRun,
  inputTopic: string,
  records: number,
  capMs: number,
  steady: SteadyStatePlan,
  log: (line: string) => void,
): Promise<ThroughputResult> {
  const started = Date.now();
  const samples: Sample[] = [];
  const proc = new RunningProcess(system.id, system.start(run));
  const monitor = new ProcessMonitor(proc.pid);
  let first: { t: number; committed: number } | undefined;
  let done: { t: number; committed: number } | undefined;
  let committed = 0;
  let lastLog = Date.now();
  try {
    while (Date.now() - started < capMs) {
      if (proc.exit) break;
      committed = await bk.committedTotal(run.groupId, inputTopic).catch(() => committed);
      const t = Date.now();
      samples.push({ t, committed });
      if (committed > 0 && !first) first = { t, committed };
      if (committed >= records) {
        done = { t, committed };
        break;
      }
      if (t - lastLog >= 10_000) {
        log(`  ${system.id}: ${committed}/${records} committed after ${((t - started) / 1000).toFixed(0)} s`);
        lastLog = t;
      }
      await sleep(200);
    }
    const usage = monitor.sample();
    monitor.stop();
    const exitedEarly = proc.exit;
    await proc.stop();
    if (exitedEarly) {
      return {
        completed: false,
        eventsPerSecond: 0,
        seconds: 0,
        window: { fromS: 0, toS: 0, short: true },
        wallSeconds: (Date.now() - started) / 1000,
        cpuSeconds: usage.cpuSeconds,
        peakRssMb: usage.peakRssMb,
        error: `${system.id} exited (${exitedEarly.signal ?? exitedEarly.code}) after ${committed}/${records}:\n${proc.output()}`,
      };
    }
    const end = done ?? { t: Date.now(), committed };
    const w = steadyWindow(samples, first, end, started, steady);
    const seconds = Math.max(0.001, (w.to.t - w.from.t) / 1000);
    return {
      completed: done !== undefined,
      eventsPerSecond: (w.to.committed - w.from.committed) / seconds,
      seconds,
      window: { fromS: (w.from.t - started) / 1000, toS: (w.to.t - started) / 1000, short: w.short },
      wallSeconds: (end.t - started) / 1000,
      cpuSeconds: usage.cpuSeconds,
      peakRssMb: usage.peakRssMb,
      note: done
        ? undefined
        : `time cap ${capMs / 1000} s reached at ${committed}/${records}; rate is partial`,
    };
  } finally {
    monitor.stop();
    await proc.stop();
  }
}

interface Sample {
  t: number;
  committed: number;
}

/**
 * From `warmupMs` after the first progress to the end; when that is shorter than `minWindowMs`,
 * from the first progress on (flagged short), and when everything landed in the first commit
 * seen (tiny inputs), the whole run.
 */
export function steadyWindow(
  samples: readonly Sample[],
  first: Sample | undefined,
  end: Sample,
  started: number,
  plan: SteadyStatePlan,
): { from: Sample; to: Sample; short: boolean } {
  if (!first || first.committed >= end.committed) {
    return { from: { t: started, committed: 0 }, to: end, short: end.t - started < plan.minWindowMs };
  }
  const warm = samples.find((s) => s.t >= first.t + plan.warmupMs && s.committed < end.committed);
  if (warm && end.t - warm.t >= plan.minWindowMs) return { from: warm, to: end, short: false };
  return { from: first, to: end, short: end.t - first.t < plan.minWindowMs };
}
