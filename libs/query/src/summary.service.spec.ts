import { TDigest } from '@streammetrics/tdigest';
import { parseQuery, summaryQuerySchema } from './query.dto';
import type { StoredWindow } from './series.point';
import { HOURS_PER_READ, readChunks, SummaryService } from './summary.service';
import { storedWindow } from './testing/stored-window.fixture';
import type { TieredReader, WindowRead } from './tiered.reader';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const NOW = Date.UTC(2026, 0, 10, 12, 7, 30);

const win = (start: number, values: number[]): StoredWindow => storedWindow(values, { start });

/** 30 hours of 1m windows up to now, served by a reader that records every read. */
function setup() {
  let now = NOW;
  const first = Math.floor(NOW / MINUTE) * MINUTE - 30 * HOUR;
  const stored = Array.from({ length: 30 * 60 }, (_, i) =>
    win(first + i * MINUTE, [i % 97, (i * 7) % 31, 100 + (i % 13), 5]),
  );
  const reads: WindowRead[] = [];
  const seam = () => now - 55 * MINUTE;
  const reader = {
    seam,
    read: async (r: WindowRead) => {
      reads.push(r);
      return stored
        .filter((w) => w.start >= r.from && w.start < r.to)
        .map((w) => (w.start >= seam() ? { ...w, tier: 'hot' as const } : w));
    },
  } as unknown as TieredReader;
  const svc = new SummaryService(reader, { now: () => now });
  const ask = (from: number, to: number, q = '0.5,0.99') =>
    svc.summary(parseQuery(summaryQuerySchema, { service: 's', metric: 'm', from, to, q }));
  return { stored, reads, ask, advance: (ms: number) => (now += ms) };
}

const direct = (ws: StoredWindow[]) =>
  TDigest.mergeAll(ws.map((w) => TDigest.fromBytes(w.digest as Uint8Array)));

describe('SummaryService', () => {
  it('merges a short range directly: quantiles equal a direct merge of every window', async () => {
    const { stored, ask } = setup();
    const ws = stored.slice(100, 220);
    const s = await ask(ws[0]?.start as number, (ws[ws.length - 1]?.start as number) + 1);
    expect(s.quantiles).toEqual([
      { q: 0.5, value: direct(ws).quantile(0.5) },
      { q: 0.99, value: direct(ws).quantile(0.99) },
    ]);
    expect(s.count).toBe(ws.length * 4);
  });

  it('answers a long cold range again without reading or merging, with the same result', async () => {
    const { stored, reads, ask } = setup();
    // 24 h that start and end inside hours: two partial hours at the edges, 23 whole ones.
    const from = stored[17]?.start as number;
    const to = from + 24 * HOUR + 5 * MINUTE + 1234;
    const inRange = stored.filter((w) => w.start >= from && w.start < to);
    const a = await ask(from, to);
    expect(reads.length).toBeGreaterThan(0);
    expect(a.count).toBe(inRange.reduce((n, w) => n + w.count, 0));
    expect(a.sum).toBe(inRange.reduce((n, w) => n + w.sum, 0));
    expect(a.windows).toEqual({ hot: 0, cold: inRange.length });
    const d = direct(inRange);
    expect(Math.abs(d.cdf(a.quantiles[0]?.value as number) - 0.5)).toBeLessThan(0.01);

    const before = reads.length;
    expect(await ask(from, to)).toEqual(a);
    // The same windows asked with bounds inside the same minutes: still nothing read.
    expect(await ask(from - 30_000, to - 1000)).toEqual({ ...a, from: from - 30_000, to: to - 1000 });
    expect(reads.length).toBe(before);
  });

  it('reads the part in the seam hour or later on every request, the hours before it once', async () => {
    const { stored, reads, ask } = setup();
    const to = NOW;
    const from = to - 8 * HOUR;
    const inRange = stored.filter((w) => w.start >= from && w.start < to);
    const a = await ask(from, to);
    expect(a.count).toBe(inRange.reduce((n, w) => n + w.count, 0));
    expect(a.windows.hot).toBeGreaterThan(0);
    const before = reads.length;
    expect(await ask(from, to)).toEqual(a);
    expect(reads.slice(before)).toHaveLength(1);
    expect(reads[before]?.to).toBe(to);
  });

  it('reads cold hours again once the cache TTL has passed', async () => {
    const { stored, reads, ask, advance } = setup();
    const from = stored[0]?.start as number;
    const to = from + 12 * HOUR;
    await ask(from, to);
    const before = reads.length;
    advance(5 * MINUTE + 1);
    await ask(from, to);
    expect(reads.length).toBeGreaterThan(before);
  });

  it('reads the missing hours of a day in several queries issued at once, each hour once', async () => {
    const { stored, reads, ask } = setup();
    const from = Math.ceil((stored[0]?.start as number) / HOUR) * HOUR;
    const a = await ask(from, from + 24 * HOUR);
    expect(a.count).toBe(24 * 60 * 4);
    const spans = reads.map((r) => [r.from, r.to]).sort((x, y) => (x[0] as number) - (y[0] as number));
    expect(spans).toEqual(
      Array.from({ length: 24 / HOURS_PER_READ }, (_, i) => [
        from + i * HOURS_PER_READ * HOUR,
        from + (i + 1) * HOURS_PER_READ * HOUR,
      ]),
    );
  });
});

describe('readChunks', () => {
  it('splits the hours into contiguous runs of at most HOURS_PER_READ', () => {
    const hours = [0, 1, 2, 3, 4, 5, 6, 7, 9, 10].map((h) => h * HOUR);
    expect(readChunks(hours)).toEqual([
      [0, 1, 2, 3, 4, 5].map((h) => h * HOUR),
      [6, 7].map((h) => h * HOUR),
      [9, 10].map((h) => h * HOUR),
    ]);
    expect(readChunks([])).toEqual([]);
  });
});
