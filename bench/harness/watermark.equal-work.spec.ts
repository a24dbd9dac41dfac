import type { AggregateRecord } from '@streammetrics/contracts';
import { windowKey, type WindowTotals } from './reference';
import { StreamTimeDrops, checkWatermarkFinals } from './watermark.equal-work';

const T = 1_800_000_000_000 - (1_800_000_000_000 % 900_000);

function final1m(start: number, count: number, sum: number, min: number, max: number): AggregateRecord {
  return {
    serviceId: 's',
    metricName: 'm',
    tags: {},
    window: { type: 'tumbling', size: '1m', start, end: start + 60_000 },
    count,
    sum,
    min,
    max,
    avg: sum / count,
    rate: 0,
    p50: min,
    p95: max,
    p99: max,
    digest: '',
    final: true,
    streamTime: 0,
    emittedAt: 0,
  };
}

const key = (start: number) => windowKey('1m', start, 's', 'm', {});

describe('StreamTimeDrops', () => {
  it('counts, per window, the events that arrive once their partition passed end + grace', () => {
    const drops = new StreamTimeDrops(10_000);
    const ev = (ts: number) => ({ timestamp: ts, serviceId: 's', metricName: 'm', tags: { a: '1' } });
    drops.add(0, ev(T + 1_000));
    drops.add(0, ev(T + 70_000)); // partition 0 at 70 s: [T, T + 60 s) is closed there
    drops.add(0, ev(T + 30_000)); // dropped for 1m (series and rollup), still in 5m, 15m and later hops
    drops.add(1, ev(T + 30_000)); // partition 1 has its own stream time: accepted
    expect(drops.dropped.get(key(T))).toBe(1);
    expect(drops.dropped.get(windowKey('1m', T, 's', 'm', { a: '1' }))).toBe(1);
    expect(drops.dropped.get(windowKey('5m', T, 's', 'm', {}))).toBeUndefined();
    // Hops up to [T, T + 60 s) are closed at 70 s (end + grace <= 70 s); [T + 10 s, T + 70 s) is open.
    expect(drops.dropped.get(windowKey('1m-hop10s', T - 20_000, 's', 'm', {}))).toBe(1);
    expect(drops.dropped.get(windowKey('1m-hop10s', T, 's', 'm', {}))).toBe(1);
    expect(drops.dropped.get(windowKey('1m-hop10s', T + 10_000, 's', 'm', {}))).toBeUndefined();
  });
});

describe('checkWatermarkFinals', () => {
  const reference = new Map<string, WindowTotals>([
    [key(T), { count: 2, sum: 3, min: 1, max: 2 }],
    [key(T + 60_000), { count: 1, sum: 5, min: 5, max: 5 }],
  ]);

  it('compares exactly where the counts agree and bounds the windows that took dropped events', () => {
    const dropped = new Map([
      [key(T), 1],
      [key(T + 120_000), 1],
    ]);
    const r = checkWatermarkFinals(
      'flink',
      [final1m(T, 3, 3.5, 0.5, 2), final1m(T + 60_000, 1, 5, 5, 5), final1m(T + 120_000, 1, 7, 7, 7)],
      0,
      reference,
      dropped,
    );
    expect(r.ok).toBe(true);
    expect(r.matched).toBe(1);
    expect(r.expectedWindows).toBe(2);
    expect(r.note).toContain('1 windows also counted events');
    expect(r.note).toContain('1 finals for windows holding only such events');
  });

  it('fails a count beyond the dropped events, a wrong exact window, and a final nothing explains', () => {
    const r = checkWatermarkFinals(
      'flink',
      [final1m(T, 4, 3, 1, 2), final1m(T + 60_000, 1, 6, 5, 5), final1m(T + 180_000, 1, 1, 1, 1)],
      0,
      reference,
      new Map([[key(T), 1]]),
    );
    expect(r.ok).toBe(false);
    expect(r.wrong).toHaveLength(2);
    expect(r.unexpected).toBe(1);
  });

  it('reports a missing window', () => {
    const r = checkWatermarkFinals('flink', [final1m(T, 2, 3, 1, 2)], 0, reference, new Map());
    expect(r.ok).toBe(false);
    expect(r.missing).toEqual([key(T + 60_000)]);
  });
});
