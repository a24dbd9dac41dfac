import type { ColdStoreRepository } from './cold-store.repository';
import type { HotStoreRepository } from './hot-store.repository';
import type { StoredWindow } from './series.point';
import { TieredReader, type WindowRead } from './tiered.reader';

const MINUTE = 60_000;
const NOW = Date.UTC(2026, 0, 10, 12, 0, 0);
const HOT_MS = 55 * MINUTE;

function win(start: number, tier: 'hot' | 'cold'): StoredWindow {
  return {
    start,
    end: start + MINUTE,
    tags: {},
    count: 1,
    sum: start,
    min: 1,
    max: 1,
    avg: 1,
    rate: 1 / 60,
    p50: 1,
    p95: 1,
    p99: 1,
    final: true,
    streamTime: start + MINUTE,
    tier,
  };
}

/** Stores holding a 1m window every minute of the last two hours; the cold one counts its reads. */
function setup() {
  // 20 s into the minute: the seam moves for 40 s before it passes a window start.
  let now = NOW + 20_000;
  const starts = Array.from({ length: 120 }, (_, i) => NOW - (120 - i) * MINUTE);
  const coldReads: [number, number][] = [];
  const totalsOnlyReads: boolean[] = [];
  const cold = {
    windows: async (
      _w: string,
      _s: string,
      _m: string,
      from: number,
      to: number,
      _sel: unknown,
      _d: boolean,
      totalsOnly = false,
    ) => {
      coldReads.push([from, to]);
      totalsOnlyReads.push(totalsOnly);
      return starts.filter((s) => s >= from && s < to).map((s) => win(s, 'cold'));
    },
  } as unknown as ColdStoreRepository;
  const hot = {
    windows: async (_s: string, _m: string, _w: string, _t: unknown, from: number, to: number) =>
      starts.filter((s) => s >= from && s <= to).map((s) => win(s, 'hot')),
  } as unknown as HotStoreRepository;
  const reader = new TieredReader(hot, cold, { now: () => now }, {
    hotWindowMs: HOT_MS,
  } as never);
  const read = (from: number, to: number, totalsOnly?: boolean): Promise<readonly StoredWindow[]> =>
    reader.read({
      serviceId: 's',
      metricName: 'm',
      window: '1m',
      from,
      to,
      selector: { kind: 'rollup' },
      withDigest: false,
      totalsOnly,
    } satisfies WindowRead);
  return { read, coldReads, totalsOnlyReads, advance: (ms: number) => (now += ms) };
}

describe('TieredReader', () => {
  it('serves each window once, cold before the seam and hot from it', async () => {
    const { read } = setup();
    const ws = await read(NOW - 60 * MINUTE, NOW);
    expect(ws.map((w) => w.start)).toEqual(Array.from({ length: 60 }, (_, i) => NOW - (60 - i) * MINUTE));
    for (const w of ws) expect(w.tier).toBe(w.start >= NOW + 20_000 - HOT_MS ? 'hot' : 'cold');
  });

  it('reads settled cold windows once for requests whose bounds move with the clock', async () => {
    const { read, coldReads, advance } = setup();
    const first = await read(NOW - 60 * MINUTE, NOW);
    expect(first).toHaveLength(60);
    advance(3_000);
    // 3 s later the seam and the bounds have moved but cover the same windows.
    const again = await read(NOW - 60 * MINUTE + 3_000, NOW + 3_000);
    expect(coldReads).toHaveLength(1);
    expect(again.map((w) => w.start)).toEqual(first.slice(1).map((w) => w.start));
    const seam = NOW + 23_000 - HOT_MS;
    for (const w of again) expect(w.tier).toBe(w.start >= seam ? 'hot' : 'cold');
  });

  it('cuts a cached read back to the exact bounds asked', async () => {
    const { read } = setup();
    await read(NOW - 60 * MINUTE, NOW);
    const inner = await read(NOW - 58 * MINUTE + 1, NOW - 56 * MINUTE);
    expect(inner.map((w) => w.start)).toEqual([NOW - 57 * MINUTE]);
  });

  it('reads again after a few seconds, and never caches windows that have not settled', async () => {
    const { read, coldReads, advance } = setup();
    await read(NOW - 60 * MINUTE, NOW);
    advance(11_000);
    await read(NOW - 60 * MINUTE, NOW);
    expect(coldReads).toHaveLength(2);
    // A range reaching up to now is read from the cold tier only behind the seam; a reader whose
    // seam is a minute old must not cache windows that may still change.
    const young = setup();
    const reader = new TieredReader(
      { windows: async () => [] } as unknown as HotStoreRepository,
      {
        windows: async (..._a: unknown[]) => {
          young.coldReads.push([0, 0]);
          return [];
        },
      } as unknown as ColdStoreRepository,
      { now: () => NOW },
      { hotWindowMs: MINUTE } as never,
    );
    const r: WindowRead = {
      serviceId: 's',
      metricName: 'm',
      window: '1m',
      from: NOW - 10 * MINUTE,
      to: NOW,
      selector: { kind: 'rollup' },
      withDigest: false,
    };
    await reader.read(r);
    await reader.read(r);
    expect(young.coldReads).toHaveLength(2);
  });

  it('reads totals-only windows apart: a cached full read is not handed to a totals reader, nor back', async () => {
    const { read, coldReads, totalsOnlyReads } = setup();
    const from = NOW - 110 * MINUTE;
    const to = NOW - 90 * MINUTE;
    await read(from, to);
    await read(from, to, true);
    await read(from, to, true);
    await read(from, to);
    expect(coldReads).toHaveLength(2);
    expect(totalsOnlyReads).toEqual([false, true]);
  });
});
