// Test support for the windowing specs (not exported from the lib): a seeded event generator and a
// brute-force oracle that computes every window straight from the events it accepted.
import { seededRandom, tagsKey, type MetricEvent, type WindowSpec } from '@streammetrics/contracts';

export { seededRandom };

export const BASE_TIME = Date.UTC(2024, 1, 7, 1, 0, 0);

let nextId = 0;
export function metricEvent(
  timestamp: number,
  value: number,
  tags: Record<string, string> = {},
  serviceId = 'payment-service',
  metricName = 'api.request.duration',
): MetricEvent {
  return { eventId: `e${nextId++}`, timestamp, serviceId, metricName, value, tags };
}

const TAG_POOL: Record<string, string>[] = [
  {},
  { endpoint: '/a' },
  { endpoint: '/b', method: 'POST' },
  { method: 'POST', endpoint: '/b' }, // same set, other key order: must land in the same series
  { region: 'eu', endpoint: '/a' },
  { endpoint: '/c', statusCode: '500' },
];

export interface StreamOptions {
  seed: number;
  events: number;
  /** Mean gap between consecutive event times. */
  meanGapMs?: number;
}

/**
 * Events mostly in order, 20 % displaced within grace, 2 % displaced by 30 s – 5 min (late for
 * some windows, not others), 0.5 % by 20 min (late for every window). Values are multiples of 1/4
 * so that sums are exact in any order and the tests can demand equality.
 */
export function generateStream(opts: StreamOptions): MetricEvent[] {
  const rnd = seededRandom(opts.seed);
  const gap = opts.meanGapMs ?? 150;
  const out: MetricEvent[] = [];
  let t = BASE_TIME + Math.floor(rnd() * 60_000);
  for (let i = 0; i < opts.events; i++) {
    t += Math.floor(rnd() * 2 * gap);
    const r = rnd();
    let ts = t;
    if (r < 0.005) ts -= 1_200_000;
    else if (r < 0.025) ts -= 30_000 + Math.floor(rnd() * 270_000);
    else if (r < 0.225) ts -= Math.floor(rnd() * 15_000);
    const value = Math.round(-Math.log(1 - rnd()) * 200 * 4) / 4;
    const tags = TAG_POOL[Math.floor(rnd() * TAG_POOL.length)] as Record<string, string>;
    out.push(
      metricEvent(ts, value, { ...tags }, `svc-${Math.floor(rnd() * 3)}`, `m${Math.floor(rnd() * 2)}`),
    );
  }
  return out;
}

export interface OracleWindow {
  key: string;
  values: number[];
}

/** Identity of one window result, as the tests compare them. */
export function windowKey(
  topic: string,
  serviceId: string,
  metricName: string,
  tags: Record<string, string>,
  start: number,
): string {
  return `${topic}|${serviceId}|${metricName}|${tagsKey(tags)}|${start}`;
}

/**
 * The definition, applied one event at a time with no slicing: an event belongs to each window
 * of each spec that contains its timestamp (none starting before epoch 0) and is accepted by the
 * window while the stream time before it is < end + grace. Each tagged event also counts in the
 * service rollup. No cardinality cap here: tests that use the oracle stay under it.
 */
export function oracle(
  events: readonly MetricEvent[],
  specs: readonly WindowSpec[],
  graceMs: number,
): { windows: Map<string, number[]>; late: Set<number> } {
  const windows = new Map<string, number[]>();
  const late = new Set<number>();
  let streamTime = -Infinity;
  events.forEach((e, idx) => {
    let accepted = false;
    for (const spec of specs) {
      for (
        let start = Math.floor(e.timestamp / spec.advanceMs) * spec.advanceMs;
        start > e.timestamp - spec.sizeMs;
        start -= spec.advanceMs
      ) {
        if (start < 0 || streamTime >= start + spec.sizeMs + graceMs) continue;
        accepted = true;
        const keys = [windowKey(spec.topic, e.serviceId, e.metricName, {}, start)];
        if (tagsKey(e.tags) !== '')
          keys.push(windowKey(spec.topic, e.serviceId, e.metricName, e.tags, start));
        for (const k of keys) {
          const list = windows.get(k);
          if (list) list.push(e.value);
          else windows.set(k, [e.value]);
        }
      }
    }
    if (!accepted) late.add(idx);
    else if (e.timestamp > streamTime) streamTime = e.timestamp;
  });
  return { windows, late };
}

/**
 * True when `estimate` lies within the exact values of rank (q - eps) .. (q + eps): the t-digest's
 * error is a rank error, and this form also holds for windows of a handful of values.
 */
export function withinRankError(
  sortedValues: readonly number[],
  q: number,
  estimate: number,
  eps: number,
): boolean {
  const n = sortedValues.length;
  const lo = sortedValues[Math.max(0, Math.floor((q - eps) * (n - 1)))] as number;
  const hi = sortedValues[Math.min(n - 1, Math.ceil((q + eps) * (n - 1)))] as number;
  return estimate >= lo && estimate <= hi;
}
