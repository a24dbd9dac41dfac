import { TDigest } from '@streammetrics/tdigest';
import { HotWindowCache } from './hot-window.cache';

function member(start: number, count: number, final: boolean): Buffer {
  const d = new TDigest();
  d.addMany(Array.from({ length: count }, (_, i) => i + 1));
  const json = JSON.stringify({
    serviceId: 's',
    metricName: 'm',
    tags: { region: 'eu' },
    window: { type: 'tumbling', size: '1m', start, end: start + 60_000 },
    count,
    sum: (count * (count + 1)) / 2,
    min: 1,
    max: count,
    avg: (count + 1) / 2,
    rate: count / 60,
    p50: d.quantile(0.5),
    p95: null,
    p99: d.quantile(0.99),
    digest: d.toBase64(),
    final,
    streamTime: start + 61_000,
    emittedAt: start + 61_100,
  });
  return Buffer.from(json);
}

describe('HotWindowCache', () => {
  it('parses a member into a hot window, with its digest only when asked', () => {
    const cache = new HotWindowCache(10);
    const m = member(60_000, 5, true);
    const w = cache.window('k\u000060000', m, false);
    expect(w).toMatchObject({
      start: 60_000,
      end: 120_000,
      tags: { region: 'eu' },
      count: 5,
      sum: 15,
      p95: null,
      final: true,
      streamTime: 121_000,
      digest: null,
      tier: 'hot',
    });
    const withDigest = cache.window('k\u000060000', m, true);
    expect(withDigest).toEqual({ ...w, digest: expect.any(Uint8Array) });
    const digest = (JSON.parse(m.toString()) as { digest: string }).digest;
    expect(TDigest.fromBytes(withDigest.digest as Uint8Array).toBase64()).toBe(digest);
  });

  it('hands out the parsed window again for the same member, and parses a newer version', () => {
    const cache = new HotWindowCache(10);
    const a = cache.window('slot', member(0, 3, false), false);
    expect(cache.window('slot', member(0, 3, false), false)).toBe(a);
    const b = cache.window('slot', member(0, 4, true), false);
    expect(b).not.toBe(a);
    expect(b).toMatchObject({ count: 4, final: true });
    expect(cache.size).toBe(1);
  });

  it('holds at most maxEntries members', () => {
    const cache = new HotWindowCache(3);
    for (let i = 0; i < 10; i++) cache.window(`slot${i}`, member(i * 60_000, 2, true), false);
    expect(cache.size).toBe(3);
  });
});
