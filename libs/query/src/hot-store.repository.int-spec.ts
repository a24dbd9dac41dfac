import { HealthService } from '@streammetrics/observability';
import { testEnv, uniqueName } from '@streammetrics/testing';
import { TDigest } from '@streammetrics/tdigest';
import { HotStoreRepository } from './hot-store.repository';
import type { QueryOptions } from './query.options';
import { aggregate, Redis, writeHot } from './testing/query.fixtures';

const MINUTE = 60_000;

/** The hot-tier reads against real Redis, with history written as the sink writes it. */
describe('HotStoreRepository on Redis', () => {
  const env = testEnv();
  const redis = new Redis(env.redisUrl);
  const repo = new HotStoreRepository({ redisUrl: env.redisUrl } as QueryOptions, new HealthService());
  const service = uniqueName('hot-svc');
  const metric = 'http.server.duration';
  const first = Math.floor(Date.now() / MINUTE) * MINUTE - 30 * MINUTE;
  const tagSets = [{ region: 'eu' }, { region: 'us' }];

  afterAll(async () => {
    await repo.onModuleDestroy();
    redis.disconnect();
  });

  it('reads the windows of several tag sets in [from, to], each with its digest when asked', async () => {
    const written = tagSets.flatMap((tags, k) =>
      Array.from({ length: 5 }, (_, i) =>
        aggregate(service, metric, tags, '1m', first + i * MINUTE, [i + 1, 10 * (k + 1), 7]),
      ),
    );
    for (const a of written) await writeHot(redis, a);
    const ws = await repo.windows(service, metric, '1m', tagSets, first + MINUTE, first + 3 * MINUTE, true);
    const expected = written.filter(
      (a) => a.window.start >= first + MINUTE && a.window.start <= first + 3 * MINUTE,
    );
    expect(ws.map((w) => [w.tags, w.start, w.count, w.max, w.p99, w.final, w.tier])).toEqual(
      expected.map((a) => [a.tags, a.window.start, a.count, a.max, a.p99, a.final, 'hot']),
    );
    ws.forEach((w, i) =>
      expect(TDigest.fromBytes(w.digest as Uint8Array).toBase64()).toBe(expected[i]?.digest),
    );
    const without = await repo.windows(
      service,
      metric,
      '1m',
      tagSets.slice(0, 1),
      first,
      first + 10 * MINUTE,
      false,
    );
    expect(without).toHaveLength(5);
    expect(without.every((w) => w.digest === null)).toBe(true);
  });

  it('sees a newer version of a window that it has read before', async () => {
    const tags = { region: 'zürich ☃' };
    await writeHot(redis, aggregate(service, metric, tags, '1m', first, [1, 2], false));
    const before = await repo.windows(service, metric, '1m', [tags], first, first, false);
    expect(before.map((w) => [w.count, w.final])).toEqual([[2, false]]);
    await writeHot(redis, aggregate(service, metric, tags, '1m', first, [1, 2, 3, 4], true));
    const after = await repo.windows(service, metric, '1m', [tags], first, first, false);
    expect(after.map((w) => [w.count, w.final, w.tags])).toEqual([[4, true, tags]]);
  });

  it('reads the rollup series of several services in one round trip', async () => {
    const other = uniqueName('hot-svc');
    await writeHot(redis, aggregate(service, metric, {}, '1m', first, [5]));
    await writeHot(redis, aggregate(other, metric, {}, '1m', first, [6, 7]));
    const ws = await repo.rollupWindowsOfServices([service, other], metric, first, first + MINUTE);
    expect(ws.map((w) => w.count)).toEqual([1, 2]);
    expect(await repo.rollupWindowsOfServices([], metric, first, first + MINUTE)).toEqual([]);
  });
});
