import { TDigest } from '@streammetrics/tdigest';
import { storedWindow } from './testing/stored-window.fixture';
import { mergeWindows, type StoredWindow } from './series.point';

const window = (values: number[], tier: 'hot' | 'cold'): StoredWindow =>
  storedWindow(values, { tier, streamTime: 1 });

describe('mergeWindows', () => {
  it('adds counts exactly and takes percentiles from the merged digests', () => {
    const a = window([1, 2, 3, 4], 'cold');
    const b = window([100, 200], 'hot');
    const p = mergeWindows([a, b], 60_000, ['count', 'sum', 'min', 'max', 'avg', 'rate', 'p50']);
    expect(p.stats).toEqual({
      count: 6,
      sum: 310,
      min: 1,
      max: 200,
      avg: 310 / 6,
      rate: 0.1,
      p50: TDigest.mergeAll([a, b].map((w) => TDigest.fromBytes(w.digest as Uint8Array))).quantile(0.5),
    });
    expect(p.tier).toBe('hot');
    expect(p.merged).toBe(2);
  });

  it('passes a single window through untouched', () => {
    const a = window([5, 6], 'cold');
    expect(mergeWindows([a], 60_000, ['p99']).stats).toEqual({ p99: a.p99 });
  });
});
