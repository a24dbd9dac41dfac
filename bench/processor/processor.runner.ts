import { setTimeout as sleep } from 'node:timers/promises';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { processStats } from './process.stats';

const ROOT = join(__dirname, '..', '..');

export interface RuntimeStats {
  transactions: number;
  outputs: number;
  /** Seconds; a bucket's upper bound, so an upper estimate. */
  commitP50: number;
  commitP99: number;
  gcSeconds: number;
  eventLoopMaxSeconds: number;
}

/** Prometheus text summed per metric name over its label sets. */
function sumByName(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line.startsWith('#') || line.trim() === '') continue;
    const i = line.lastIndexOf(' ');
    const name = line.slice(0, i).replace(/\{.*\}/, '');
    out.set(name, (out.get(name) ?? 0) + Number(line.slice(i + 1)));
  }
  return out;
}

/** The real stream-processor app, started as a child process the way `npm start` runs it. */
export class BenchProcessor {
  readonly child: ChildProcess;
  private lastStats = { cpuSeconds: 0, peakRssMb: 0, rssMb: 0 };
  private readonly log: string[] = [];

  constructor(
    readonly port: number,
    env: Record<string, string>,
  ) {
    // BENCH_PROCESSOR_NODE_ARGS passes node flags through, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`.
    const nodeArgs = (process.env.BENCH_PROCESSOR_NODE_ARGS ?? '').split(' ').filter(Boolean);
    this.child = spawn(
      process.execPath,
      [...nodeArgs, '-r', '@swc-node/register', 'apps/stream-processor/src/main.ts'],
      {
        cwd: ROOT,
        env: { ...process.env, LOG_LEVEL: 'warn', PROCESSOR_HTTP_PORT: String(port), ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    const keep = (b: Buffer) => {
      this.log.push(b.toString());
      if (this.log.length > 50) this.log.shift();
    };
    this.child.stdout?.on('data', keep);
    this.child.stderr?.on('data', keep);
  }

  /** Samples /proc while the process lives, so the figures survive its exit. */
  stats(): { cpuSeconds: number; peakRssMb: number; rssMb: number } {
    try {
      if (this.child.pid !== undefined) this.lastStats = processStats(this.child.pid);
    } catch {
      // exited: keep the last sample
    }
    return this.lastStats;
  }

  async metrics(): Promise<Map<string, number>> {
    return sumByName(await this.scrape());
  }

  /**
   * Where the processor's time went, from its own metrics: transaction duration quantiles (upper
   * bucket bounds of streammetrics_processor_commit_seconds), GC seconds and the event loop's
   * largest delay since the last scrape.
   */
  async runtimeStats(): Promise<RuntimeStats> {
    const text = await this.scrape();
    const sums = sumByName(text);
    const buckets: [number, number][] = [];
    for (const m of text.matchAll(
      /^streammetrics_processor_commit_seconds_bucket\{[^}]*le="([^"]+)"[^}]*\} (\S+)$/gm,
    )) {
      buckets.push([m[1] === '+Inf' ? Infinity : Number(m[1]), Number(m[2])]);
    }
    const total = buckets.at(-1)?.[1] ?? 0;
    const upTo = (x: number) => buckets.find(([, n]) => n >= x * total)?.[0] ?? NaN;
    return {
      transactions: total,
      outputs: sums.get('streammetrics_processor_outputs_total') ?? 0,
      commitP50: upTo(0.5),
      commitP99: upTo(0.99),
      gcSeconds: sums.get('nodejs_gc_duration_seconds_sum') ?? 0,
      eventLoopMaxSeconds: sums.get('nodejs_eventloop_lag_max_seconds') ?? 0,
    };
  }

  private async scrape(): Promise<string> {
    return (await fetch(`http://127.0.0.1:${this.port}/metrics`)).text();
  }

  async ready(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      try {
        if ((await fetch(`http://127.0.0.1:${this.port}/health/ready`)).ok) return;
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`processor not ready within ${timeoutMs} ms:\n${this.log.join('')}`);
  }

  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    this.stats();
    const exited = new Promise((r) => this.child.once('exit', r));
    this.child.kill(signal);
    await exited;
  }
}
