import type { BenchKafka } from './bench.kafka';
import { sleep } from './bench.kafka';
import { ProcessMonitor } from './proc.monitor';
import { RunningProcess } from './run.process';
import type { StreamSystem, SystemRun } from './systems';

export interface ThroughputResult {
  completed: boolean;
  eventsPerSecond: number;
  /** From first committed progress to everything committed. */
  seconds: number;
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
 * commits), its CPU seconds and peak RSS (/proc). Sustained events/s = records committed between
 * the first sample showing progress and the sample showing all of them, over that time; start-up
 * and the group join are excluded, as in ConsumerPerformance's fetch rate.
 */
export async function measureThroughput(
  bk: BenchKafka,
  system: StreamSystem,
  run: SystemRun,
  inputTopic: string,
  records: number,
  capMs: number,
  log: (line: string) => void,
): Promise<ThroughputResult> {
  const started = Date.now();
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
        wallSeconds: (Date.now() - started) / 1000,
        cpuSeconds: usage.cpuSeconds,
        peakRssMb: usage.peakRssMb,
        error: `${system.id} exited (${exitedEarly.signal ?? exitedEarly.code}) after ${committed}/${records}:\n${proc.output()}`,
      };
    }
    const end = done ?? { t: Date.now(), committed };
    // Everything may land in the first commit we see (tiny inputs): fall back to the whole run.
    const from = first && first.committed < end.committed ? first : { t: started, committed: 0 };
    const seconds = Math.max(0.001, (end.t - from.t) / 1000);
    return {
      completed: done !== undefined,
      eventsPerSecond: (end.committed - from.committed) / seconds,
      seconds,
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
