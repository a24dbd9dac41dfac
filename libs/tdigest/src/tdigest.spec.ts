import { TDigest } from './tdigest';
import { lognormalSamples, rankError, seededRandom } from './testing';

describe('TDigest', () => {
  describe('empty digest', () => {
    const d = new TDigest();

    it('has zero count and sum, NaN extremes and quantiles', () => {
      expect(d.count).toBe(0);
      expect(d.sum).toBe(0);
      expect(d.min).toBeNaN();
      expect(d.max).toBeNaN();
      expect(d.quantile(0.5)).toBeNaN();
      expect(d.quantiles([0, 1])).toEqual([NaN, NaN]);
      expect(d.cdf(0)).toBeNaN();
      expect(d.centroidCount).toBe(0);
    });
  });

  it('returns the value itself for every quantile of a single value', () => {
    const d = new TDigest();
    d.add(-3.5);
    expect(d.quantiles([0, 0.01, 0.5, 0.99, 1])).toEqual([-3.5, -3.5, -3.5, -3.5, -3.5]);
    expect([d.count, d.sum, d.min, d.max]).toEqual([1, -3.5, -3.5, -3.5]);
    expect(d.cdf(-4)).toBe(0);
    expect(d.cdf(-3.5)).toBe(0.5);
    expect(d.cdf(-3)).toBe(1);
  });

  it('answers exactly for a handful of values', () => {
    const d = new TDigest();
    d.addMany([5, 1, 4, 2, 3]);
    expect(d.quantile(0)).toBe(1);
    expect(d.quantile(0.5)).toBe(3);
    expect(d.quantile(1)).toBe(5);
    expect(d.centroidCount).toBe(5);
  });

  it('handles all-equal values', () => {
    const d = new TDigest();
    for (let i = 0; i < 10_000; i++) d.add(7);
    for (const q of [0, 0.001, 0.5, 0.999, 1]) expect(d.quantile(q)).toBe(7);
    expect(d.cdf(6.999)).toBe(0);
    expect(d.cdf(7)).toBe(0.5);
    expect(d.cdf(7.001)).toBe(1);
    expect(d.sum).toBe(70_000);
  });

  it('handles negative and mixed-sign values', () => {
    const random = seededRandom(7);
    const values = Float64Array.from({ length: 20_000 }, () => (random() - 0.5) * 2000);
    const d = new TDigest();
    d.addMany(values);
    const sorted = values.slice().sort();
    for (const q of [0.01, 0.25, 0.5, 0.75, 0.99]) {
      expect(rankError(sorted, q, d.quantile(q))).toBeLessThan(0.01);
    }
    expect(d.min).toBe(sorted[0]);
    expect(d.max).toBe(sorted[sorted.length - 1]);
    expect(d.quantile(0.5)).toBeLessThan(50);
    expect(d.quantile(0.5)).toBeGreaterThan(-50);
  });

  // A weighted value is one centroid: quantiles interpolate between centroid centres like any other.
  it('keeps huge weights exact and respects them in quantiles', () => {
    const d = new TDigest();
    d.add(1, 1e15);
    d.add(2, 3e15);
    d.add(1000);
    expect(d.count).toBe(4e15 + 1);
    expect(d.sum).toBe(1e15 + 6e15 + 1000);
    expect(d.quantile(0.1)).toBe(1);
    expect(d.quantile(0.6)).toBeGreaterThan(1.5);
    expect(d.quantile(0.6)).toBeLessThanOrEqual(2);
    expect(d.quantile(1)).toBe(1000);
    expect(d.cdf(1.5)).toBeGreaterThan(0.2);
    expect(d.cdf(1.5)).toBeLessThan(0.8);
  });

  describe('rejects bad arguments', () => {
    it.each([NaN, Infinity, -Infinity])('value %p', (v) => {
      expect(() => new TDigest().add(v)).toThrow(RangeError);
    });

    it.each([0, -1, NaN, Infinity])('weight %p', (w) => {
      expect(() => new TDigest().add(1, w)).toThrow(RangeError);
    });

    it('adds nothing from a batch holding a non-finite value', () => {
      const d = new TDigest();
      expect(() => d.addMany([1, 2, NaN, 4])).toThrow(RangeError);
      expect(d.count).toBe(0);
    });

    it.each([-0.0001, 1.0001, NaN, -Infinity])('q %p', (q) => {
      const d = new TDigest();
      d.add(1);
      expect(() => d.quantile(q)).toThrow(RangeError);
      expect(() => d.quantiles([0.5, q])).toThrow(RangeError);
    });

    it.each([0, 9, NaN, Infinity, 1e6])('compression %p', (compression) => {
      expect(() => new TDigest({ compression })).toThrow(RangeError);
    });

    it('merges only digests', () => {
      expect(() => new TDigest().merge({} as TDigest)).toThrow(TypeError);
    });
  });

  it('tracks count, sum, min and max exactly through adds and merges', () => {
    const values = lognormalSamples(50_000, 11);
    const parts = [0, 1, 2, 3, 4].map(() => new TDigest());
    values.forEach((v, i) => parts[i % 5]!.add(v));
    const merged = TDigest.mergeAll(parts);
    let sum = 0;
    for (const p of parts) sum += p.sum;
    expect(merged.count).toBe(50_000);
    expect(merged.sum).toBe(sum);
    expect(merged.sum).toBeCloseTo(
      values.reduce((a, b) => a + b, 0),
      6,
    );
    expect(merged.min).toBe(Math.min(...values));
    expect(merged.max).toBe(Math.max(...values));
  });

  it('keeps p99 rank error under 0.5% on 1e5 lognormal samples', () => {
    const values = lognormalSamples(100_000, 1);
    const d = new TDigest();
    d.addMany(values);
    const sorted = values.slice().sort();
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      expect(rankError(sorted, q, d.quantile(q))).toBeLessThan(0.005);
    }
    expect(rankError(sorted, 0.999, d.quantile(0.999))).toBeLessThan(0.0005);
  });

  it('keeps merged p99 within 0.5% after merging 60 serialized slice digests', () => {
    const values = lognormalSamples(120_000, 2);
    const slices = Array.from({ length: 60 }, (_, s) => {
      const d = new TDigest();
      d.addMany(values.subarray(s * 2000, (s + 1) * 2000));
      return TDigest.fromBytes(d.toBytes());
    });
    const merged = TDigest.mergeAll(slices);
    const sorted = values.slice().sort();
    for (const q of [0.5, 0.9, 0.99, 0.999]) {
      expect(rankError(sorted, q, merged.quantile(q))).toBeLessThan(0.005);
    }
    expect(merged.count).toBe(120_000);
  });

  it('merges associatively within tolerance', () => {
    const values = lognormalSamples(60_000, 3);
    const digest = (from: number, to: number) => {
      const d = new TDigest();
      d.addMany(values.subarray(from, to));
      return d;
    };
    const left = digest(0, 20_000).merge(digest(20_000, 40_000)).merge(digest(40_000, 60_000));
    const right = digest(0, 20_000).merge(digest(20_000, 40_000).merge(digest(40_000, 60_000)));
    const sorted = values.slice().sort();
    for (const q of [0.01, 0.5, 0.9, 0.99]) {
      const a = left.quantile(q);
      const b = right.quantile(q);
      expect(Math.abs(rankError(sorted, q, a) - rankError(sorted, q, b))).toBeLessThan(0.003);
      expect(Math.abs(a - b) / Math.abs(b)).toBeLessThan(0.02);
    }
    expect(left.count).toBe(right.count);
  });

  it('leaves merged-in digests unchanged and can merge a digest into itself', () => {
    const a = new TDigest();
    a.addMany([1, 2, 3]);
    const b = new TDigest();
    b.addMany([10, 20]);
    const before = b.toBase64();
    a.merge(b);
    expect(b.toBase64()).toBe(before);
    expect(a.count).toBe(5);
    a.merge(a);
    expect(a.count).toBe(10);
    expect(a.sum).toBe(72);
  });

  it('answers quantiles() in the order asked, equal to single quantile() calls', () => {
    const d = new TDigest();
    d.addMany(lognormalSamples(30_000, 4));
    const qs = [0.99, 0.001, 0.5, 1, 0, 0.9, 0.5];
    expect(d.quantiles(qs)).toEqual(qs.map((q) => d.quantile(q)));
  });

  it('has a cdf consistent with quantile and monotone quantiles', () => {
    const d = new TDigest();
    d.addMany(lognormalSamples(50_000, 5));
    let previous = -Infinity;
    for (let q = 0; q <= 1; q += 0.001) {
      const x = d.quantile(q);
      expect(x).toBeGreaterThanOrEqual(previous);
      previous = x;
    }
    for (const q of [0.1, 0.5, 0.9, 0.99]) expect(Math.abs(d.cdf(d.quantile(q)) - q)).toBeLessThan(0.002);
  });

  it('is deterministic and clones independently', () => {
    const values = lognormalSamples(20_000, 6);
    const a = new TDigest();
    const b = new TDigest();
    a.addMany(values);
    b.addMany(values);
    expect(a.toBytes()).toEqual(b.toBytes());
    const c = a.clone();
    c.add(1e9);
    expect(a.max).not.toBe(1e9);
    expect(c.max).toBe(1e9);
    expect(c.count).toBe(a.count + 1);
  });

  it('compress() reduces centroids without losing exact statistics', () => {
    const d = new TDigest();
    d.addMany(lognormalSamples(100_000, 8));
    const before = d.centroidCount;
    const [count, sum] = [d.count, d.sum];
    d.compress();
    expect(d.centroidCount).toBeLessThan(before);
    expect(d.centroidCount).toBeLessThanOrEqual(2 * d.compression);
    expect([d.count, d.sum]).toEqual([count, sum]);
  });
});
