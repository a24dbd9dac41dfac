import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { Pool } from 'pg';
import { ApiKeyRepository, ApiKeyService } from '@streammetrics/auth';
import { TDigest } from '@streammetrics/tdigest';
import { testEnv, uniqueName } from '@streammetrics/testing';
import {
  aggregate,
  Redis,
  rng,
  startQueryApi,
  writeCold,
  writeHot,
  type Aggregate,
  type RunningQueryApi,
} from '../../libs/query/src/testing/query.fixtures';

const MINUTE = 60_000;
const HOT_WINDOW_S = 1800; // the seam: windows of the last 30 min come from Redis

/**
 * The query API against real Redis and PostgreSQL holding known aggregates: three hours of 1m
 * windows for two tag sets and their rollup; PostgreSQL holds all of them (as the sink writes),
 * Redis the newest hour.
 */
describe('query-api REST', () => {
  const env = testEnv();
  const pg = new Pool({ connectionString: env.databaseUrl, max: 2 });
  const redis = new Redis(env.redisUrl);
  const keys = new ApiKeyService(new ApiKeyRepository(pg), { pepper: LOCAL_API_KEY_PEPPER });
  const service = uniqueName('q-svc');
  const metric = 'http.server.duration';
  const now = Date.now();
  const first = Math.floor(now / MINUTE) * MINUTE - 180 * MINUTE;
  const sets = [
    { endpoint: '/pay', statusCode: '200', region: 'eu' },
    { endpoint: '/refund', statusCode: '500', region: 'eu' },
  ];
  const rollups: Aggregate[] = [];
  const byTagSet: Aggregate[][] = [[], []];
  let api: RunningQueryApi;
  let readKey: string;
  let ingestKey: string;

  const get = async (path: string, key: string | null = readKey) => {
    const res = await fetch(api.url + path, { headers: key ? { Authorization: `Bearer ${key}` } : {} });
    return {
      status: res.status,
      body: (await res.json()) as Record<string, unknown> & {
        error?: { code: string; problems?: { field: string }[] };
      },
    };
  };

  beforeAll(async () => {
    const random = rng(42);
    const all: Aggregate[] = [];
    for (let m = 0; m < 180; m++) {
      const start = first + m * MINUTE;
      const parts = sets.map((_, i) =>
        Array.from({ length: 30 + i * 10 }, () => Math.round((20 + random() * 200 * (i + 1)) * 10) / 10),
      );
      parts.forEach((values, i) =>
        byTagSet[i]?.push(aggregate(service, metric, sets[i] as Record<string, string>, '1m', start, values)),
      );
      rollups.push(aggregate(service, metric, {}, '1m', start, parts.flat()));
    }
    all.push(...rollups, ...byTagSet.flat());
    await writeCold(pg, all);
    for (const a of all) if (a.window.start >= now - 60 * MINUTE) await writeHot(redis, a);
    readKey = (await keys.create({ name: 'q-read', clientId: service, scopes: ['read'] })).key;
    ingestKey = (await keys.create({ name: 'q-ingest', clientId: service, scopes: ['ingest'] })).key;
    api = await startQueryApi({
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      QUERY_HOT_WINDOW_SECONDS: String(HOT_WINDOW_S),
    });
  });

  afterAll(async () => {
    await api?.close();
    await pg.end();
    redis.disconnect();
  });

  it('serves one seamless series across the hot/cold seam, each point naming its tier', async () => {
    const { status, body } = await get(
      `/api/v1/series?service=${service}&metric=${metric}&window=1m&from=${first}&to=${first + 180 * MINUTE}`,
    );
    expect(status).toBe(200);
    const series = body.series as { points: { start: number; tier: string; count: number; p99: number }[] }[];
    expect(series).toHaveLength(1);
    const points = series[0]?.points ?? [];
    expect(points.map((p) => p.start)).toEqual(rollups.map((r) => r.window.start));
    const hotFrom = body.hotFrom as number;
    for (const p of points) expect(p.tier).toBe(p.start >= hotFrom ? 'hot' : 'cold');
    expect(new Set(points.map((p) => p.tier))).toEqual(new Set(['hot', 'cold']));
    points.forEach((p, i) => {
      expect(p.count).toBe(rollups[i]?.count);
      expect(p.p99).toBe(rollups[i]?.p99);
    });
  });

  it('filters by tag, merging every series that carries the tags', async () => {
    const one = await get(
      `/api/v1/series?service=${service}&metric=${metric}&from=${first}&to=${now}&tag=endpoint:/pay&stats=count,max,p50`,
    );
    const pay =
      (one.body.series as { points: { count: number; max: number; p50: number }[] }[])[0]?.points ?? [];
    expect(pay).toHaveLength(180);
    pay.forEach((p, i) => {
      expect(p).toMatchObject({
        count: byTagSet[0]?.[i]?.count,
        max: byTagSet[0]?.[i]?.max,
        p50: byTagSet[0]?.[i]?.p50,
      });
      expect(p).not.toHaveProperty('p99');
    });

    const both = await get(
      `/api/v1/series?service=${service}&metric=${metric}&from=${first}&to=${now}&tag=region:eu`,
    );
    const merged =
      (both.body.series as { points: { count: number; min: number; p95: number }[] }[])[0]?.points ?? [];
    merged.forEach((p, i) => {
      expect(p.count).toBe(rollups[i]?.count);
      expect(p.min).toBe(rollups[i]?.min);
      const d = TDigest.mergeAll(
        [byTagSet[0]?.[i], byTagSet[1]?.[i]].map((a) => TDigest.fromBase64((a as Aggregate).digest)),
      );
      expect(p.p95).toBe(d.quantile(0.95));
    });

    const grouped = await get(
      `/api/v1/series?service=${service}&metric=${metric}&from=${first}&to=${now}&groupBy=statusCode&stats=count`,
    );
    const groups = grouped.body.series as {
      group: string;
      tags: Record<string, string>;
      points: { count: number }[];
    }[];
    expect(groups.map((g) => g.group)).toEqual(['200', '500']);
    expect(groups[1]?.tags).toEqual({ statusCode: '500' });
    expect(groups[1]?.points.map((p) => p.count)).toEqual(byTagSet[1]?.map((a) => a.count));
  });

  it('summarises any quantiles over the range exactly like a directly merged digest', async () => {
    const from = first;
    const to = first + 180 * MINUTE;
    const { status, body } = await get(
      `/api/v1/summary?service=${service}&metric=${metric}&from=${from}&to=${to}&q=0.5,p99,p99.9`,
    );
    expect(status).toBe(200);
    const direct = TDigest.mergeAll(rollups.map((r) => TDigest.fromBase64(r.digest)));
    expect(body.quantiles).toEqual([
      { q: 0.5, value: direct.quantile(0.5) },
      { q: 0.99, value: direct.quantile(0.99) },
      { q: 0.999, value: direct.quantile(0.999) },
    ]);
    expect(body.count).toBe(rollups.reduce((a, r) => a + r.count, 0));
    expect(body.sum).toBeCloseTo(
      rollups.reduce((a, r) => a + r.sum, 0),
      6,
    );
    expect(body.min).toBe(Math.min(...rollups.map((r) => r.min)));
    expect(body.max).toBe(Math.max(...rollups.map((r) => r.max)));
    const windows = body.windows as { hot: number; cold: number };
    expect(windows.hot + windows.cold).toBe(180);
    expect(windows.hot).toBeGreaterThan(0);
    expect(windows.cold).toBeGreaterThan(0);

    const filtered = await get(
      `/api/v1/summary?service=${service}&metric=${metric}&from=${from}&to=${to}&tag=statusCode:500&q=0.9`,
    );
    const d500 = TDigest.mergeAll((byTagSet[1] ?? []).map((a) => TDigest.fromBase64(a.digest)));
    expect(filtered.body.quantiles).toEqual([{ q: 0.9, value: d500.quantile(0.9) }]);
    expect(filtered.body.count).toBe(d500.count);
  });

  it("merges long ranges per hour, within the digest's accuracy of a direct merge", async () => {
    const to = first + 180 * MINUTE;
    const from = to - 8 * 3_600_000; // longer than HOURLY_MERGE_MIN_RANGE_MS: hour partials, then hours
    const direct = TDigest.mergeAll(rollups.map((r) => TDigest.fromBase64(r.digest)));
    for (let round = 0; round < 2; round++) {
      const { body } = await get(
        `/api/v1/summary?service=${service}&metric=${metric}&from=${from}&to=${to}&q=0.5,0.99`,
      );
      expect(body.count).toBe(direct.count);
      expect(body.max).toBe(direct.max);
      const [p50, p99] = body.quantiles as { value: number }[];
      // Rank error, not value error: where each answer sits in the directly merged distribution.
      expect(Math.abs(direct.cdf(p50?.value as number) - 0.5)).toBeLessThan(0.01);
      expect(Math.abs(direct.cdf(p99?.value as number) - 0.99)).toBeLessThan(0.005);
    }
  });

  it('answers MetricStream queries with per-minute avg/max/min', async () => {
    const start = new Date(first).toISOString();
    const end = new Date(first + 180 * MINUTE).toISOString();
    const { status, body } = await get(
      `/api/query?name=${metric}&start=${start}&end=${end}&service=${service}`,
    );
    expect(status).toBe(200);
    const data = body.data as { time: string; avg: number; max: number; min: number }[];
    expect(data).toHaveLength(180);
    expect(data[0]).toEqual({
      time: new Date(first).toISOString().replace('.000Z', 'Z'),
      avg: rollups[0]!.sum / rollups[0]!.count,
      max: rollups[0]?.max,
      min: rollups[0]?.min,
    });
    expect(data[179]?.max).toBe(rollups[179]?.max);
  });

  it('discovers services, metrics and tags', async () => {
    const services = (await get('/api/v1/services')).body.services as { name: string; live: boolean }[];
    expect(services.find((s) => s.name === service)).toMatchObject({ live: true });
    const metrics = (await get(`/api/v1/services/${service}/metrics`)).body.metrics as { name: string }[];
    expect(metrics.map((m) => m.name)).toEqual([metric]);
    const tags = await get(`/api/v1/services/${service}/metrics/${metric}/tags`);
    expect(tags.body.keys).toEqual({
      endpoint: ['/pay', '/refund'],
      region: ['eu'],
      statusCode: ['200', '500'],
    });
  });

  it('lists the windows window= accepts, which the series endpoint serves', async () => {
    const { status, body } = await get('/api/v1/windows');
    expect(status).toBe(200);
    const windows = body.windows as { id: string; kind: string; stepMs: number; live: boolean }[];
    expect(windows.map((w) => [w.id, w.kind, w.stepMs, w.live])).toEqual([
      ['1m', 'tumbling', 60_000, true],
      ['5m', 'tumbling', 300_000, true],
      ['15m', 'tumbling', 900_000, true],
      ['1m-hop10s', 'hopping', 10_000, true],
      ['1h', 'rollup', 3_600_000, false],
      ['1d', 'rollup', 86_400_000, false],
    ]);
    expect((await get('/api/v1/windows', null)).status).toBe(401);
    const wrong = await get(`/api/v1/series?service=${service}&metric=${metric}&window=2m`);
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toContain(windows.map((w) => w.id).join(', '));
  });

  it('reads hourly rollups from the cold tier', async () => {
    const hour = Math.floor(first / 3_600_000) * 3_600_000 - 3_600_000;
    const h = { ...aggregate(service, metric, {}, '1m', hour, [1, 2, 3, 4]), windowId: '1h' as const };
    h.window = { ...h.window, end: hour + 3_600_000 };
    await writeCold(pg, [h]);
    const { body } = await get(
      `/api/v1/series?service=${service}&metric=${metric}&window=1h&from=${hour}&to=${hour + 3_600_000}`,
    );
    expect((body.series as { points: { count: number; tier: string }[] }[])[0]?.points).toMatchObject([
      { count: 4, tier: 'cold' },
    ]);
  });

  it('refuses a missing or unknown key (401) and a key without the read scope (403)', async () => {
    const path = `/api/v1/series?service=${service}&metric=${metric}`;
    const none = await get(path, null);
    expect(none.status).toBe(401);
    expect(none.body.error?.code).toBe('UNAUTHORIZED');
    expect((await get(path, 'sm_00000000_' + '0'.repeat(48))).status).toBe(401);
    const ingest = await get(path, ingestKey);
    expect(ingest.status).toBe(403);
    expect(ingest.body.error?.code).toBe('FORBIDDEN');
  });

  it('answers 400 listing every invalid parameter', async () => {
    const { status, body } = await get(
      '/api/v1/series?metric=bad%20name&window=2m&from=yesterday&to=5&tag=novalue&stats=p12',
    );
    expect(status).toBe(400);
    expect(body.error?.code).toBe('VALIDATION_FAILED');
    const fields = (body.error?.problems ?? []).map((p) => p.field).sort();
    expect(fields).toEqual(['from', 'metric', 'service', 'stats', 'tag', 'window']);

    const range = await get(`/api/v1/series?service=${service}&metric=${metric}&from=2000&to=1000`);
    expect(range.body.error?.problems).toEqual([{ field: 'from', message: 'must be before "to"' }]);
    const tooMany = await get(
      `/api/v1/series?service=${service}&metric=${metric}&window=1m-hop10s&from=0&to=${now}`,
    );
    expect(tooMany.status).toBe(400);
    const q = await get(`/api/v1/summary?service=${service}&metric=${metric}&q=1.5,p101`);
    expect(q.body.error?.problems).toHaveLength(2);
  });

  it('documents the API at /docs', async () => {
    const res = await fetch(`${api.url}/docs-json`);
    const doc = (await res.json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/api/v1/series', '/api/v1/summary', '/api/query']),
    );
  });
});
