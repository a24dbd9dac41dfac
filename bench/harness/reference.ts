import { WINDOW_SPECS, canonicalTags, tagsKey, type WindowId } from '@streammetrics/contracts';

/** Exact totals of one window of one series. */
export interface WindowTotals {
  count: number;
  sum: number;
  min: number;
  max: number;
  /**
   * Every value, kept for the 1m tumbling windows only: the percentile check needs the exact
   * distribution, and one window size is enough to test a digest while bounding the harness's
   * memory (two numbers per event instead of twenty).
   */
  values?: number[];
}

/** The window whose values the reference keeps for the percentile check. */
export const PERCENTILE_WINDOW: WindowId = '1m';

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

interface RefEvent {
  timestamp: number;
  serviceId: string;
  metricName: string;
  value: number;
  tags?: Record<string, string>;
}

/**
 * The exact answer, computed directly from the input partitions in offset order with the design's
 * rules: stream time per input partition, a window accepts a record while stream time (before the
 * record) < end + grace, every series plus its service-level rollup. Returns the windows that are
 * closed at the end (end + grace <= the partition's final stream time): those must have exactly one
 * final record, with these totals, from every system.
 */
export class ReferenceAggregator {
  private readonly open = new Map<string, WindowTotals & { closeAt: number }>();
  private readonly streamTime = new Map<number, number>();
  late = 0;

  constructor(private readonly graceMs: number) {}

  add(partition: number, e: RefEvent): void {
    const st = this.streamTime.get(partition) ?? -Infinity;
    const tags = canonicalTags(e.tags);
    const hasTags = Object.keys(tags).length > 0;
    let accepted = false;
    for (const spec of WINDOW_SPECS) {
      const latest = e.timestamp - (e.timestamp % spec.advanceMs);
      for (let start = latest; start > e.timestamp - spec.sizeMs && start >= 0; start -= spec.advanceMs) {
        const end = start + spec.sizeMs;
        if (st >= end + this.graceMs) continue;
        accepted = true;
        const keep = spec.id === PERCENTILE_WINDOW;
        this.bump(windowKey(spec.id, start, e.serviceId, e.metricName, tags), end, e.value, partition, keep);
        if (hasTags)
          this.bump(windowKey(spec.id, start, e.serviceId, e.metricName, {}), end, e.value, partition, keep);
      }
    }
    if (!accepted) this.late++;
    if (e.timestamp > st) this.streamTime.set(partition, e.timestamp);
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
