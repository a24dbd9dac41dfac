/**
 * Which probe an aggregate includes. Probes are requests of `eventsPerProbe` events of one
 * dedicated series (its service rollup, 1m tumbling), sent strictly one after another: the next
 * only after the previous one was acknowledged. The gateway acknowledges after Kafka did (acks=all)
 * and one series is one key, one partition, processed in order, so the events of a 1m window are
 * counted in send order, and a record of that window with count >= k * eventsPerProbe is the first
 * to include probe k (the k-th probe of the window). A failed probe may have reached Kafka in part,
 * so the window's later probes are not decidable and are left out.
 */

/** Where a probe is seen: the aggregated topic, the sink's pub/sub message, the WebSocket update. */
export const POINTS = ['kafka', 'redis', 'ws'] as const;
export type Point = (typeof POINTS)[number];

export interface Probe {
  windowStart: number;
  /** 1-based rank in its window. */
  k: number;
  sentAt: number;
  /** When the 2xx answer arrived. */
  ackAt?: number;
  /** First arrival, per point, of a record that includes it. */
  seen: Partial<Record<Point, number>>;
  /** `emittedAt` (the processor's wall time when it sent the record) of the first record including it. */
  emittedAt?: number;
  /** Sent after the warm-up: counted in the figures. */
  sampled: boolean;
}

const WINDOW_MS = 60_000;

export class ProbeLedger {
  private readonly windows = new Map<number, { probes: Probe[]; decidable: number }>();
  private readonly matched = new Map<string, number>();

  constructor(readonly eventsPerProbe: number) {}

  /** A probe about to be sent with event timestamp `sentAt`. */
  add(sentAt: number, sampled: boolean): Probe {
    const windowStart = sentAt - (sentAt % WINDOW_MS);
    let w = this.windows.get(windowStart);
    if (!w) this.windows.set(windowStart, (w = { probes: [], decidable: Infinity }));
    const probe: Probe = { windowStart, k: w.probes.length + 1, sentAt, seen: {}, sampled };
    w.probes.push(probe);
    return probe;
  }

  /** The probe was not acknowledged: it and the later probes of its window are undecidable. */
  failed(probe: Probe): void {
    const w = this.windows.get(probe.windowStart);
    if (w) w.decidable = Math.min(w.decidable, probe.k - 1);
  }

  /** A record of the probe series' window `windowStart` with `count` events arrived at `point`. */
  observe(point: Point, windowStart: number, count: number, at: number, emittedAt?: number): void {
    const w = this.windows.get(windowStart);
    if (!w) return;
    const key = `${point}|${windowStart}`;
    const upTo = Math.min(Math.floor(count / this.eventsPerProbe), w.probes.length, w.decidable);
    for (let i = this.matched.get(key) ?? 0; i < upTo; i++) {
      const p = w.probes[i] as Probe;
      p.seen[point] ??= at;
      if (point === 'kafka') p.emittedAt ??= emittedAt;
    }
    this.matched.set(key, Math.max(upTo, this.matched.get(key) ?? 0));
  }

  /** Sampled, acknowledged, decidable probes. */
  sampled(): Probe[] {
    const out: Probe[] = [];
    for (const w of this.windows.values())
      for (const p of w.probes) if (p.sampled && p.ackAt !== undefined && p.k <= w.decidable) out.push(p);
    return out;
  }

  /** Sampled probes that were sent but are undecidable (a failed probe in their window). */
  undecidable(): number {
    let n = 0;
    for (const w of this.windows.values()) for (const p of w.probes) if (p.sampled && p.k > w.decidable) n++;
    return n;
  }
}
