import { TDigest } from './tdigest';
import { TDigestDecodeError } from './tdigest.errors';
import { lognormalSamples } from './testing/seeded-random';

function digestOf(values: ArrayLike<number>): TDigest {
  const d = new TDigest();
  d.addMany(values);
  return d;
}

describe('TDigest encoding', () => {
  const big = digestOf(lognormalSamples(200_000, 21));

  it('round-trips to identical bytes after decode→encode', () => {
    for (const d of [new TDigest(), digestOf([42]), digestOf([3, 1, 2]), big]) {
      const bytes = d.toBytes();
      expect(TDigest.fromBytes(bytes).toBytes()).toEqual(bytes);
      expect(TDigest.fromBase64(d.toBase64()).toBytes()).toEqual(bytes);
      expect(TDigest.fromJSON(JSON.parse(JSON.stringify(d))).toBytes()).toEqual(bytes);
    }
  });

  it('keeps count, sum, min and max exact and quantiles close', () => {
    const decoded = TDigest.fromBytes(big.toBytes());
    expect([decoded.count, decoded.sum, decoded.min, decoded.max]).toEqual([
      big.count,
      big.sum,
      big.min,
      big.max,
    ]);
    for (const q of [0.01, 0.5, 0.99, 0.999]) {
      expect(Math.abs(decoded.quantile(q) - big.quantile(q)) / big.quantile(q)).toBeLessThan(0.01);
    }
  });

  it('does not change the digest it encodes', () => {
    const d = digestOf(lognormalSamples(50_000, 22));
    const before = d.quantiles([0.5, 0.99]);
    d.toBytes();
    expect(d.quantiles([0.5, 0.99])).toEqual(before);
  });

  it('fits a compression-100 digest of 1e5 values in 1 KB', () => {
    expect(big.toBytes().length).toBeLessThanOrEqual(1024);
  });

  it('keeps float64 means when float32 cannot tell the values apart', () => {
    const d = digestOf(Array.from({ length: 1000 }, (_, i) => 1.7e12 + i));
    const decoded = TDigest.fromBytes(d.toBytes());
    expect(decoded.quantile(0.5)).toBeCloseTo(d.quantile(0.5), 3);
  });

  it('encodes huge and fractional weights', () => {
    const d = new TDigest();
    d.add(1, 2 ** 60);
    d.add(2, 0.25);
    const decoded = TDigest.fromBytes(d.toBytes());
    expect(decoded.count).toBe(2 ** 60 + 0.25);
    expect(decoded.toBytes()).toEqual(d.toBytes());
  });

  it('rejects every truncation', () => {
    const bytes = digestOf(lognormalSamples(1000, 23)).toBytes();
    for (let len = 0; len < bytes.length; len++) {
      expect(() => TDigest.fromBytes(bytes.subarray(0, len))).toThrow(TDigestDecodeError);
    }
  });

  it('rejects every single flipped bit', () => {
    const bytes = digestOf(lognormalSamples(300, 24)).toBytes();
    for (let i = 0; i < bytes.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const corrupt = bytes.slice();
        corrupt[i]! ^= 1 << bit;
        expect(() => TDigest.fromBytes(corrupt)).toThrow(TDigestDecodeError);
      }
    }
  });

  it('rejects trailing bytes, unknown versions and non-bytes', () => {
    const bytes = digestOf([1, 2, 3]).toBytes();
    const longer = new Uint8Array(bytes.length + 1);
    longer.set(bytes);
    expect(() => TDigest.fromBytes(longer)).toThrow(TDigestDecodeError);
    const future = bytes.slice();
    future[2] = 2;
    expect(() => TDigest.fromBytes(future)).toThrow(/unsupported version 2/);
    expect(() => TDigest.fromBytes('TD' as unknown as Uint8Array)).toThrow(TDigestDecodeError);
  });

  it('rejects damaged base64', () => {
    const s = digestOf([1, 2, 3]).toBase64();
    expect(() => TDigest.fromBase64(s.slice(0, -4))).toThrow(TDigestDecodeError);
    expect(() => TDigest.fromBase64(`${s.slice(0, 10)}!${s.slice(11)}`)).toThrow(TDigestDecodeError);
    expect(() => TDigest.fromBase64('')).toThrow(TDigestDecodeError);
  });

  it('rejects inconsistent JSON', () => {
    const good = digestOf([1, 2, 3]).toJSON() as unknown as Record<string, unknown>;
    const bad = [
      null,
      [],
      { ...good, format: 'other' },
      { ...good, version: 9 },
      { ...good, count: 4 },
      { ...good, means: [3, 2, 1] },
      { ...good, means: [0, 2, 3] },
      { ...good, weights: [1, 1] },
      { ...good, weights: [1, -1, 3] },
      { ...good, compression: 1 },
      { ...good, min: 'NaN' },
      { ...good, sum: 'lots' },
    ];
    for (const o of bad) expect(() => TDigest.fromJSON(o)).toThrow(TDigestDecodeError);
  });
});
