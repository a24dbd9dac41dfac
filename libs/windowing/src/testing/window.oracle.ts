import {
  WINDOW_SPECS,
  canonicalTags,
  tagsKey,
  windowIdOf,
  type AggregateRecord,
  type WindowId,
} from '@streammetrics/contracts';

/** Exact totals of one window of one series. */
export interface WindowTotals {
  count: number;
  sum: number;
  min: number;
  max: number;
  /** Every value, for the windows the oracle was asked to keep them for (the percentile checks). */
  values?: number[];
}

/** An input event as the oracle needs it. */
export interface OracleEvent {
  timestamp: number;
  serviceId: string;
  metricName: string;
  value: number;
  tags?: Record<string, string>;
}

/** `${windowId}|${start}|${serviceId}|${metricName}|${tagsKey}` — one series' window. */
export function windowKey(
  id: WindowId,
  start: number,
  serviceId: string,
  metricName: string,
  tags: Record<string, string>,
): string {
  return `${id}|${start}|${serviceId}|${metricName}|${tagsKey(tags)}`;
}

/** The windowKey of an emitted aggregate, to look it up among the oracle's finals. */
export function aggregateKey(
  a: Pick<AggregateRecord, 'window' | 'serviceId' | 'metricName' | 'tags'>,
): string {
  return windowKey(windowIdOf(a.window), a.window.start, a.serviceId, a.metricName, a.tags);
}

/** The service and metric a windowKey names (neither may contain '|': the contracts forbid it). */
export function keyParts(key: string): { window: string; serviceId: string; metricName: string } {
  const [window = '', , serviceId = '', metricName = ''] = key.split('|');
  return { window, serviceId, metricName };
}

/**
 * The exact answer, computed the slow obvious way from the window rules, independently of the
 * window engine: events in offset order per input partition; stream time per partition is the
 * largest timestamp seen; a window accepts a record while stream time (before the record) is below
 * end + grace; every series is counted in its own window and in its service-level rollup (no tags).
 * finals() returns the windows closed at the end (end + grace <= the partition's final stream
 * time): every system must emit exactly one final record of each, with these totals.
 */
export class WindowOracle {
  private readonly open = new Map<string, WindowTotals & { closeAt: number }>();
  private readonly streamTime = new Map<number, number>();
  /** Records no window accepted (LATE_EVENT dead letters). */
  late = 0;

  constructor(
    private readonly graceMs: number,
    /** Which windows keep every value (memory: a large input keeps only what its check needs). */
    private readonly keepValues: (id: WindowId) => boolean = () => true,
  ) {}

  /** Adds one record; false when no window accepts it (it is late). */
  add(partition: number, e: OracleEvent): boolean {
    const st = this.streamTime.get(partition) ?? -Infinity;
    const tags = canonicalTags(e.tags);
    const hasTags = Object.keys(tags).length > 0;
    let accepted = false;
    for (const spec of WINDOW_SPECS) {
      const latest = e.timestamp - (e.timestamp % spec.advanceMs);
      const keep = this.keepValues(spec.id);
      for (let start = latest; start > e.timestamp - spec.sizeMs && start >= 0; start -= spec.advanceMs) {
        const end = start + spec.sizeMs;
        if (st >= end + this.graceMs) continue;
        accepted = true;
        this.bump(windowKey(spec.id, start, e.serviceId, e.metricName, tags), end, e.value, partition, keep);
        if (hasTags)
          this.bump(windowKey(spec.id, start, e.serviceId, e.metricName, {}), end, e.value, partition, keep);
      }
    }
    if (!accepted) this.late++;
    if (e.timestamp > st) this.streamTime.set(partition, e.timestamp);
    return accepted;
  }

  private bump(key: string, end: number, value: number, partition: number, keep: boolean): void {
    // Partition is part of the map key: a series lives in one partition (key = serviceId), but
    // keeping it makes a violated assumption show up as a mismatch instead of a silent merge.
    const k = `${partition}#${key}`;
    let w = this.open.get(k);
    if (!w) {
      w = { count: 0, sum: 0, min: Infinity, max: -Infinity, closeAt: end + this.graceMs };
      if (keep) w.values = [];
      this.open.set(k, w);
    }
    w.count++;
    w.sum += value;
    if (value < w.min) w.min = value;
    if (value > w.max) w.max = value;
    w.values?.push(value);
  }

  /** Windows closed by the end of the input, keyed by windowKey. */
  finals(): Map<string, WindowTotals> {
    const out = new Map<string, WindowTotals>();
    for (const [k, w] of this.open) {
      const partition = Number(k.slice(0, k.indexOf('#')));
      if (w.closeAt <= (this.streamTime.get(partition) ?? -Infinity)) {
        const { closeAt: _closeAt, ...totals } = w;
        out.set(k.slice(k.indexOf('#') + 1), totals);
      }
    }
    return out;
  }
}
