import { WINDOW_SPECS, type MetricEvent } from '@streammetrics/contracts';
import { generateStream, metricEvent, oracle, windowKey, withinRankError } from './event-stream.fixture';
import { PartitionWindows, type EmittedAggregate } from './partition.windows';

const GRACE = 10_000;
/** Rank error allowed for p50/p95/p99 at compression 100 (the t-digest's is well below 1 %). */
const RANK_EPS = 0.02;

function runAll(
  events: readonly MetricEvent[],
  collectEvery: number,
): { finals: EmittedAggregate[]; late: Set<number> } {
  const pw = new PartitionWindows({
    graceMs: GRACE,
    emitIntervalMs: 1_000,
    maxTagSetsPerMetric: 1_000,
    idleTimeoutMs: 0,
  });
  const finals: EmittedAggregate[] = [];
  const late = new Set<number>();
  let wall = 0;
  events.forEach((e, i) => {
    wall += 1;
    if (pw.ingest(e, wall).kind === 'late') late.add(i);
    if (i % collectEvery === 0) finals.push(...pw.collect(wall).outputs.filter((o) => o.emit === 'final'));
  });
  // A far-future event of another service closes every window of the stream.
  const last = events[events.length - 1] as MetricEvent;
  pw.ingest(metricEvent(last.timestamp + 3_600_000, 0, {}, 'flush-service'), wall + 1);
  finals.push(...pw.collect(wall + 1).outputs.filter((o) => o.emit === 'final' && o.key !== 'flush-service'));
  return { finals, late };
}

describe('stream slicing', () => {
  it.each([1, 2, 3])('equals a direct per-window computation over a shuffled stream (seed %i)', (seed) => {
    const events = generateStream({ seed, events: 10_000 });
    const expected = oracle(events, WINDOW_SPECS, GRACE);
    const { finals, late } = runAll(events, 37);

    expect([...late]).toEqual([...expected.late]);
    expect(expected.late.size).toBeGreaterThan(0);

    const seen = new Set<string>();
    for (const { topic, record: r } of finals) {
      const key = windowKey(topic, r.serviceId, r.metricName, r.tags, r.window.start);
      expect(seen.has(key)).toBe(false);
      seen.add(key);
      const values = expected.windows.get(key);
      if (!values) throw new Error(`final for a window the oracle has no events in: ${key}`);
      values.sort((a, b) => a - b);
      expect({ key, count: r.count, sum: r.sum, min: r.min, max: r.max }).toEqual({
        key,
        count: values.length,
        sum: values.reduce((a, b) => a + b, 0),
        min: values[0],
        max: values[values.length - 1],
      });
      for (const [q, p] of [
        [0.5, r.p50],
        [0.95, r.p95],
        [0.99, r.p99],
      ] as const) {
        if (!withinRankError(values, q, p, RANK_EPS)) {
          throw new Error(
            `${key}: p${q * 100} = ${p} outside rank error of exact quantiles (n=${values.length})`,
          );
        }
      }
    }
    // Every non-empty window got its final, and no empty one did.
    expect(seen.size).toBe(expected.windows.size);
  });
});
