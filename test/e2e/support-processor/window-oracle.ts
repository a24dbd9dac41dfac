import { tagsKey, WINDOW_SPECS, type WindowId } from '@streammetrics/contracts';
import type { GeneratedRecord } from './event-generator';

export interface ExactWindow {
  key: string;
  values: number[];
  count: number;
  sum: number;
  min: number;
  max: number;
}

export interface OracleResult {
  /** Closed windows by `windowKey(...)`. */
  windows: Map<string, ExactWindow>;
  /** eventIds / values expected on the dead-letter topic with their reason. */
  deadLetters: Map<string, string>;
}

export function windowKey(
  serviceId: string,
  metricName: string,
  tags: Record<string, string>,
  window: WindowId,
  start: number,
): string {
  return `${serviceId}|${metricName}|${tagsKey(tags)}|${window}|${start}`;
}

/**
 * The exact answer, computed the slow obvious way from the window rules: per partition, stream
 * time is the largest timestamp seen; a window accepts a record while stream time (before the
 * record) < end + grace; a record no window accepts is a LATE_EVENT dead letter. Only windows
 * closed by the final stream time of their partition are returned.
 */
export function exactWindows(
  records: GeneratedRecord[],
  graceMs: number,
  excludeMetric: string,
): OracleResult {
  const streamTime = new Map<number, number>();
  const windows = new Map<string, ExactWindow>();
  const closesAt = new Map<string, { partition: number; at: number }>();
  const deadLetters = new Map<string, string>();
  for (const r of records) {
    const dlqKey = r.value.toString();
    if (r.kind === 'undecodable') {
      deadLetters.set(dlqKey, 'UNDECODABLE');
      continue;
    }
    if (r.kind === 'invalid') {
      deadLetters.set(dlqKey, 'SCHEMA_VIOLATION');
      continue;
    }
    const e = r.event!;
    const st = streamTime.get(r.partition) ?? -Infinity;
    let acceptedAny = false;
    const series: Record<string, string>[] = Object.keys(e.tags).length > 0 ? [{}, e.tags] : [{}];
    for (const spec of WINDOW_SPECS) {
      const last = Math.floor(e.timestamp / spec.advanceMs) * spec.advanceMs;
      for (let start = last; start > e.timestamp - spec.sizeMs; start -= spec.advanceMs) {
        if (start < 0) continue;
        const end = start + spec.sizeMs;
        if (!(st < end + graceMs)) continue;
        acceptedAny = true;
        for (const tags of series) {
          const k = windowKey(e.serviceId, e.metricName, tags, spec.id, start);
          let w = windows.get(k);
          if (!w) {
            w = { key: k, values: [], count: 0, sum: 0, min: Infinity, max: -Infinity };
            windows.set(k, w);
            closesAt.set(k, { partition: r.partition, at: end + graceMs });
          }
          w.values.push(e.value);
          w.count++;
          w.sum += e.value;
          w.min = Math.min(w.min, e.value);
          w.max = Math.max(w.max, e.value);
        }
      }
    }
    if (!acceptedAny) deadLetters.set(dlqKey, 'LATE_EVENT');
    else streamTime.set(r.partition, Math.max(st, e.timestamp));
  }
  for (const [k, c] of closesAt) {
    const final = streamTime.get(c.partition) ?? -Infinity;
    if (final < c.at || k.split('|')[1] === excludeMetric) windows.delete(k);
  }
  return { windows, deadLetters };
}

export { rankError } from '@streammetrics/tdigest/testing';
