/** What the load test counts while it runs: answers by status, and every answer's latency. */
export class LoadtestStats {
  readonly byStatus = new Map<number, number>();
  private latencies = new Float64Array(1 << 16);
  private n = 0;

  record(status: number, latencyMs: number): void {
    this.byStatus.set(status, (this.byStatus.get(status) ?? 0) + 1);
    if (this.n === this.latencies.length) {
      const grown = new Float64Array(this.latencies.length * 2);
      grown.set(this.latencies);
      this.latencies = grown;
    }
    this.latencies[this.n++] = latencyMs;
  }

  get answers(): number {
    return this.n;
  }

  get ok(): number {
    let ok = 0;
    for (const [status, count] of this.byStatus) if (status >= 200 && status < 300) ok += count;
    return ok;
  }

  /** Latency quantiles (nearest rank) over every answer, in ms; undefined when none came. */
  quantiles(qs: readonly number[]): (number | undefined)[] {
    if (this.n === 0) return qs.map(() => undefined);
    const sorted = this.latencies.slice(0, this.n).sort();
    return qs.map((q) => sorted[Math.min(this.n - 1, Math.max(0, Math.ceil(q * this.n) - 1))]);
  }
}

export interface LoadtestSummary {
  url: string;
  batch: number;
  connections: number;
  rate: number | 'max';
  durationSec: number;
  requests: number;
  reqPerSec: number;
  /** Events in 2xx answers only: what the target acknowledged. */
  eventsPerSec: number;
  latencyMs: { p50?: number; p95?: number; p99?: number; max?: number };
  byStatus: Record<string, number>;
  /** Connection errors and timeouts (no HTTP answer). */
  errors: number;
  timeouts: number;
}

export function summarize(
  stats: LoadtestStats,
  run: { url: string; batch: number; connections: number; rate?: number; elapsedSec: number },
  failures: { errors: number; timeouts: number },
): LoadtestSummary {
  const [p50, p95, p99, max] = stats.quantiles([0.5, 0.95, 0.99, 1]);
  return {
    url: run.url,
    batch: run.batch,
    connections: run.connections,
    rate: run.rate ?? 'max',
    durationSec: run.elapsedSec,
    requests: stats.answers,
    reqPerSec: stats.answers / run.elapsedSec,
    eventsPerSec: (stats.ok * run.batch) / run.elapsedSec,
    latencyMs: { p50, p95, p99, max },
    byStatus: Object.fromEntries([...stats.byStatus].sort(([a], [b]) => a - b)),
    errors: failures.errors,
    timeouts: failures.timeouts,
  };
}

const fmt = (n: number | undefined, digits = 0) =>
  n === undefined ? '—' : n.toLocaleString('en-US', { maximumFractionDigits: digits });

/** The final table (markdown, so it can be pasted as it is). */
export function formatSummary(s: LoadtestSummary): string {
  const statuses = Object.entries(s.byStatus)
    .map(([status, count]) => `${status}: ${fmt(count)}`)
    .join(', ');
  return [
    `${s.url}, batch ${s.batch}, ${s.connections} connections, rate ${s.rate === 'max' ? 'max' : `${fmt(s.rate)} req/s`}, ${s.durationSec.toFixed(1)} s`,
    '',
    '| req/s | events/s (2xx) | p50 ms | p95 ms | p99 ms | max ms | answers by status | errors | timeouts |',
    '|---:|---:|---:|---:|---:|---:|---|---:|---:|',
    `| ${fmt(s.reqPerSec)} | ${fmt(s.eventsPerSec)} | ${fmt(s.latencyMs.p50, 1)} | ${fmt(s.latencyMs.p95, 1)} | ${fmt(s.latencyMs.p99, 1)} | ${fmt(s.latencyMs.max, 1)} | ${statuses || '—'} | ${fmt(s.errors)} | ${fmt(s.timeouts)} |`,
  ].join('\n');
}

/** One live line: the last second's rates and the running totals. */
export function progressLine(
  elapsedSec: number,
  durationSec: number,
  lastSecond: { answers: number; ok: number },
  stats: LoadtestStats,
  batch: number,
): string {
  const failed = stats.answers - stats.ok;
  return (
    `[loadtest] ${elapsedSec}/${durationSec} s  ${fmt(lastSecond.answers)} req/s  ` +
    `${fmt(lastSecond.ok * batch)} events/s  2xx ${fmt(stats.ok)}  non-2xx ${fmt(failed)}`
  );
}
