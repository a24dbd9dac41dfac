import { TDigest } from '@streammetrics/tdigest';
import { parseQuery, seriesQuerySchema } from './query.dto';
import type { StoredWindow } from './series.point';
import { SeriesService } from './series.service';
import { storedWindow } from './testing/stored-window.fixture';
import type { TieredReader, WindowRead } from './tiered.reader';

const MINUTE = 60_000;
const T0 = 1_700_000_000_000 - (1_700_000_000_000 % MINUTE);

const win = (
  start: number,
  tags: Record<string, string>,
  values: number[],
  tier: 'hot' | 'cold',
): StoredWindow =>
  storedWindow(values, { start, tags, tier, final: tier === 'cold', streamTime: start + MINUTE + 1000 });

/** A reader that answers every read with `windows` (what the stores hold for the query). */
function service(windows: () => StoredWindow[]): { svc: SeriesService; reads: WindowRead[] } {
  const reads: WindowRead[] = [];
  const reader = {
    read: async (r: WindowRead) => {
      reads.push(r);
      return windows();
    },
    seam: () => T0 + 30 * MINUTE,
  } as unknown as TieredReader;
  return { svc: new SeriesService(reader, { now: () => T0 + 60 * MINUTE }), reads };
}

const json = async (svc: SeriesService, q: ReturnType<typeof query>) =>
  (await svc.seriesBody(q)).toString('utf8');

const query = (raw: Record<string, unknown>) =>
  parseQuery(seriesQuerySchema, { service: 'svc', metric: 'm', from: T0, to: T0 + 60 * MINUTE, ...raw });

describe('SeriesService.seriesBody', () => {
  const rollup = Array.from({ length: 60 }, (_, i) =>
    win(T0 + i * MINUTE, {}, [i + 1, 2 * i + 3, 50], i < 30 ? 'cold' : 'hot'),
  );
  // An empty window (no values): NaN statistics must come out as null, as JSON.stringify writes them.
  rollup[5] = { ...(rollup[5] as StoredWindow), min: NaN, max: NaN, avg: NaN, p50: NaN, p95: NaN, p99: NaN };

  it('serialises exactly what JSON.stringify makes of the series answer, across tiers', async () => {
    const { svc } = service(() => rollup);
    const q = query({});
    const body = await json(svc, q);
    expect(body).toBe(JSON.stringify(await svc.series(q)));
    const parsed = JSON.parse(body) as { series: { points: Record<string, unknown>[] }[] };
    expect(parsed.series[0]?.points).toHaveLength(60);
    expect(parsed.series[0]?.points[5]).toMatchObject({ count: 3, min: null, p99: null });
    expect(parsed.series[0]?.points[40]).toMatchObject({ tier: 'hot', final: false });
  });

  it('answers the same again from unchanged windows, and follows the statistics asked', async () => {
    const { svc } = service(() => rollup);
    const first = await json(svc, query({}));
    expect(await json(svc, query({}))).toBe(first);
    const q = query({ stats: 'max,count' });
    const narrow = await json(svc, q);
    expect(narrow).toBe(JSON.stringify(await svc.series(q)));
    expect(
      Object.keys((JSON.parse(narrow) as { series: { points: object[] }[] }).series[0]?.points[0] ?? {}),
    ).toEqual(['start', 'end', 'time', 'tier', 'final', 'max', 'count']);
    expect(await json(svc, query({}))).toBe(first);
  });

  it('merges tag sets sharing a start and groups by a tag, exactly as the object answer', async () => {
    const sets = [{ code: '200' }, { code: 'zürich ☃' }];
    const windows = rollup
      .slice(0, 10)
      .flatMap((w, i) => sets.map((tags, k) => win(w.start, tags, [i + k, 10 * (k + 1), 7], w.tier)));
    const { svc } = service(() => windows);
    for (const raw of [{ tag: 'code:200' }, { groupBy: 'code', stats: 'count,p50' }, { tag: ['x:1'] }]) {
      const q = query(raw);
      expect(await json(svc, q)).toBe(JSON.stringify(await svc.series(q)));
    }
    const merged = JSON.parse(await json(svc, query({ tag: 'x:1', stats: 'count,p95' }))) as {
      series: { points: { count: number; p95: number }[] }[];
    };
    const pair = windows.slice(0, 2).map((w) => TDigest.fromBytes(w.digest as Uint8Array));
    expect(merged.series[0]?.points[0]).toMatchObject({
      count: 6,
      p95: TDigest.mergeAll(pair).quantile(0.95),
    });
  });

  it('writes an empty series when nothing is stored', async () => {
    const { svc } = service(() => []);
    const q = query({});
    expect(await json(svc, q)).toBe(JSON.stringify(await svc.series(q)));
  });
});
