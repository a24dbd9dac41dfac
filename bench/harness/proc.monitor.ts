import { readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat times (USER_HZ; 100 on every Linux we run on). */
const CLK_TCK = 100;

export interface ProcSample {
  cpuSeconds: number;
  peakRssMb: number;
}

/** CPU seconds (user + system, all threads) and VmHWM of a live process, from /proc. */
export function readProc(pid: number): ProcSample | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after "(comm)": comm may contain spaces, so split after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const utime = Number(fields[11]);
    const stime = Number(fields[12]);
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const hwm = /VmHWM:\s+(\d+) kB/.exec(status);
    return { cpuSeconds: (utime + stime) / CLK_TCK, peakRssMb: hwm ? Number(hwm[1]) / 1024 : 0 };
  } catch {
    return undefined;
  }
}

/**
 * Samples a process every `intervalMs` and keeps the last reading, so a process that exits on its
 * own (ConsumerPerformance) still leaves its figures; call sample() right before stopping one.
 */
export class ProcessMonitor {
  private last: ProcSample = { cpuSeconds: 0, peakRssMb: 0 };
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    intervalMs = 200,
  ) {
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  sample(): ProcSample {
    const s = readProc(this.pid);
    if (s) this.last = { cpuSeconds: s.cpuSeconds, peakRssMb: Math.max(this.last.peakRssMb, s.peakRssMb) };
    return this.last;
  }

  stop(): ProcSample {
    clearInterval(this.timer);
    return this.last;
  }
}
