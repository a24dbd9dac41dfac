import type { AggregateRecord } from '@streammetrics/contracts';
import { checkFinals, percentileProblem } from './equal-work';
import { ReferenceAggregator } from './reference';

const T = 1_800_000_000_000 - (1_800_000_000_000 % 900_000);

function final(
  size: '1m' | '5m' | '15m',
  start: number,
  count: number,
  sum: number,
  tags = {},
  minMax: [number, number] = [1, 2],
): AggregateRecord {
  const ms = { '1m': 60_000, '5m': 300_000, '15m': 900_000 }[size];
  return {
    serviceId: 's',
    metricName: 'm',
    tags,
    window: { type: 'tumbling', size, start, end: start + ms },
    count,
    sum,
    min: minMax[0],
    max: minMax[1],
    avg: 0,
    rate: 0,
    p50: 0,
    p95: 0,
    p99: 0,
    digest: '',
    final: true,
    streamTime: 0,
    emittedAt: 0,
  };
}

describe('ReferenceAggregator', () => {
  it('counts series and rollup, closes windows on stream time, and applies grace per partition', () => {
    const ref = new ReferenceAggregator(10_000);
    const ev = (ts: number, value: number) => ({
      timestamp: ts,
      serviceId: 's',
      metricName: 'm',
      value,
      tags: { a: '1' },
    });
    ref.add(0, ev(T + 1_000, 1));
    ref.add(0, ev(T + 2_000, 2));
    ref.add(0, ev(T + 70_000, 4)); // stream time 70 s: [0, 60 s) closes at 70 s
    ref.add(0, ev(T + 30_000, 8)); // late for the 1m window, still fits 5m and 15m
    ref.add(1, ev(T + 3_000, 16)); // another partition has its own stream time
    ref.add(0, ev(T + 1_000_000, 0));
    const f = ref.finals();
    expect(f.get(`1m|${T}|s|m|{"a":"1"}`)).toEqual({ count: 2, sum: 3, min: 1, max: 2, values: [1, 2] });
    expect(f.get(`1m|${T}|s|m|`)).toEqual({ count: 2, sum: 3, min: 1, max: 2, values: [1, 2] });
    expect(f.get(`5m|${T}|s|m|`)).toEqual({ count: 4, sum: 15, min: 1, max: 8 });
    // Partition 1 never advanced past its window: nothing of it is closed.
    expect([...f.values()].some((w) => w.sum === 16 || w.sum === 31)).toBe(false);
  });
});

describe('checkFinals', () => {
  const reference = new Map([
    [`1m|${T}|s|m|`, { count: 2, sum: 3, min: 1, max: 2 }],
    [`5m|${T}|s|m|`, { count: 4, sum: 15, min: 1, max: 2 }],
  ]);

  it('accepts exact finals and tolerates summation order', () => {
    const r = checkFinals('x', [final('1m', T, 2, 3), final('5m', T, 4, 15 + 1e-12)], 0, reference);
    expect(r.ok).toBe(true);
    expect(r.matched).toBe(2);
  });

  it('reports wrong, missing, duplicated and unexpected finals', () => {
    const r = checkFinals(
      'x',
      [final('1m', T, 3, 3), final('1m', T, 3, 3), final('15m', T, 1, 1)],
      0,
      reference,
    );
    expect(r.ok).toBe(false);
    expect(r.wrong).toHaveLength(1);
    expect(r.missing).toEqual([`5m|${T}|s|m|`]);
    expect(r.duplicated).toHaveLength(1);
    expect(r.unexpected).toBe(1);
  });

  it('counts interim updates per input event, and fails a system that wrote none', () => {
    const exact = [final('1m', T, 2, 3), final('5m', T, 4, 15)];
    const r = checkFinals('x', exact, 0, reference, { updates: 30, inputEvents: 120 });
    expect(r).toMatchObject({ ok: true, updates: 30, updatesPerEvent: 0.25 });
    expect(checkFinals('x', exact, 0, reference, { updates: 0, inputEvents: 120 }).ok).toBe(false);
  });
});

describe('percentileProblem', () => {
  const values = Array.from({ length: 1000 }, (_, i) => i + 1);
  const rec = (p50: number, p95: number, p99: number) => ({
    ...final('1m', T, 1000, 500_500),
    p50,
    p95,
    p99,
  });

  it('accepts percentiles within the rank tolerance', () => {
    expect(percentileProblem(rec(505, 945, 991), values)).toBeUndefined();
    // A float32-rounded value at the edge of the range is the same value.
    expect(
      percentileProblem(rec(505, 945, Math.fround(1000.01)), [...values.slice(0, 999), 1000.01]),
    ).toBeUndefined();
  });

  it('accepts an answer between two adjacent values when one of them is within the tolerance', () => {
    // 352 counts of 1 to 4: every value near the median is 3, and a digest may say 2.94.
    const counts = [...Array(50).fill(1), ...Array(60).fill(2), ...Array(150).fill(3), ...Array(92).fill(4)];
    const at = (p50: number) => ({ ...final('1m', T, counts.length, 0), p50, p95: 4, p99: 4 });
    expect(percentileProblem(at(2.94), counts)).toBeUndefined();
    expect(percentileProblem(at(3), counts)).toBeUndefined();
    // Between 1 and 2 the answer ranks as 1 or 2, and neither is near the median.
    expect(percentileProblem(at(1.5), counts)).toMatch(/^p50 1.5 outside \[3, 3\]/);
    // In a dense window a gap is narrow: 560 still sits far outside.
    expect(
      percentileProblem(
        rec(560, 950, 990),
        values.filter((x) => x < 540 || x > 570),
      ),
    ).toMatch(/^p50 560 outside/);
  });

  it('rejects a percentile more than the rank tolerance away', () => {
    expect(percentileProblem(rec(560, 950, 990), values)).toMatch(/^p50 560 outside/);
    expect(percentileProblem(rec(500, 900, 990), values)).toMatch(/^p95 900 outside/);
  });

  it('reports a wrong min or max as a mismatch', () => {
    const r = checkFinals(
      'x',
      [final('1m', T, 2, 3, {}, [0, 2])],
      0,
      new Map([[`1m|${T}|s|m|`, { count: 2, sum: 3, min: 1, max: 2 }]]),
    );
    expect(r.wrong).toHaveLength(1);
  });
});
