import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import {
  HOT_TTL_SECONDS,
  SERVICES_KEY,
  decodeHotUpdate,
  encodeAggregate,
  historyKey,
  latestKey,
  metricsOfServiceKey,
  seriesIndexKey,
  updatesChannel,
  type AggregateRecord,
} from '@streammetrics/contracts';
import { testEnv, uniqueName } from '@streammetrics/testing';
import { decodeBatch, type SinkRecord } from './aggregate.batch';
import { HotStoreRepository } from './hot-store.repository';
import { makeAggregate, seededValues } from './testing/aggregate.fixture';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

/** Records as some producer wrote them: plain JSON.stringify order, unless `encode` is given. */
function sinkRecords(
  records: AggregateRecord[],
  encode: (r: AggregateRecord) => Buffer = (r) => Buffer.from(JSON.stringify(r)),
): SinkRecord[] {
  const messages = records.map((r, i) => ({
    key: Buffer.from(r.serviceId),
    value: encode(r),
    offset: String(i),
    timestamp: String(Date.now()),
    attributes: 0,
    headers: {},
  }));
  return decodeBatch('t', 0, messages, { verifyDigest: false }).records;
}

describe('HotStoreRepository (real Redis)', () => {
  let redis: Redis;
  let repo: HotStoreRepository;
  beforeAll(() => {
    redis = new Redis(testEnv().redisUrl);
    repo = new HotStoreRepository(redis);
  });
  afterAll(() => redis.quit());

  it('keeps the newest version of each window: a final beats updates, then newer stream time', async () => {
    const svc = uniqueName('hot-svc');
    const base = { serviceId: svc, start: T0 };
    const update1 = makeAggregate({ ...base, values: [1, 2], final: false, streamTime: T0 + 20_000 });
    const update2 = makeAggregate({ ...base, values: [1, 2, 3], final: false, streamTime: T0 + 40_000 });
    const final = makeAggregate({ ...base, values: [1, 2, 3, 4], final: true, streamTime: T0 + 70_000 });
    const late = makeAggregate({ ...base, values: [9], final: false, streamTime: T0 + 90_000 });

    expect((await repo.writeAggregates(sinkRecords([update1]))).applied).toBe(1);
    expect((await repo.writeAggregates(sinkRecords([update2]))).applied).toBe(1);
    expect((await repo.writeAggregates(sinkRecords([update1]))).applied).toBe(0);
    expect((await repo.writeAggregates(sinkRecords([final]))).applied).toBe(1);
    expect((await repo.writeAggregates(sinkRecords([late, final]))).applied).toBe(0);

    const members = await redis.zrange(historyKey(svc, 'api.request.duration', '1m', {}), 0, -1);
    expect(members).toHaveLength(1);
    expect(JSON.parse(members[0] as string)).toEqual(final);
    expect(JSON.parse((await redis.get(latestKey(svc, 'api.request.duration', '1m'))) as string)).toEqual(
      final,
    );
  });

  it('sets a TTL on every key it writes and keeps one hour of history per series', async () => {
    const svc = uniqueName('hot-ttl');
    const tags = { endpoint: '/a', method: 'GET' };
    const records: AggregateRecord[] = [];
    for (let i = 0; i < 75; i++) {
      const start = T0 + i * 60_000;
      records.push(makeAggregate({ serviceId: svc, start, values: seededValues(i, 5) }));
      records.push(makeAggregate({ serviceId: svc, tags, start, values: seededValues(i + 100, 5) }));
    }
    await repo.writeAggregates(sinkRecords(records));

    const keys = [
      historyKey(svc, 'api.request.duration', '1m', {}),
      historyKey(svc, 'api.request.duration', '1m', tags),
      latestKey(svc, 'api.request.duration', '1m'),
      seriesIndexKey(svc, 'api.request.duration'),
      metricsOfServiceKey(svc),
      SERVICES_KEY,
    ];
    for (const k of keys) {
      const ttl = await redis.ttl(k);
      expect({ k, ok: ttl > 0 && ttl <= HOT_TTL_SECONDS }).toEqual({ k, ok: true });
    }
    for (const k of keys.slice(0, 2)) {
      const scores = (await redis.zrange(k, 0, -1, 'WITHSCORES')).filter((_, i) => i % 2 === 1).map(Number);
      // The last hour of window starts: the newest 60 of the 75 one-minute windows.
      expect(scores).toEqual(Array.from({ length: 60 }, (_, i) => T0 + (15 + i) * 60_000));
    }
    const latest = JSON.parse((await redis.get(latestKey(svc, 'api.request.duration', '1m'))) as string);
    expect(latest.window.start).toBe(T0 + 74 * 60_000);
    expect(latest.tags).toEqual({});
    expect(await redis.hgetall(seriesIndexKey(svc, 'api.request.duration'))).toEqual(
      expect.objectContaining({
        [sinkRecords([records[1] as AggregateRecord])[0]?.tagsHash as string]: JSON.stringify(tags),
      }),
    );
    expect(await redis.zscore(metricsOfServiceKey(svc), 'api.request.duration')).not.toBeNull();
    expect(await redis.zscore(SERVICES_KEY, svc)).not.toBeNull();
  });

  it('publishes a HotUpdate (without the digest) for each applied write only', async () => {
    const svc = uniqueName('hot-pub');
    const sub = new Redis(testEnv().redisUrl);
    const got: string[] = [];
    await sub.subscribe(updatesChannel(redis.options.db));
    sub.on('message', (_c, m) => {
      if (m.includes(svc)) got.push(m);
    });
    const r = makeAggregate({ serviceId: svc, start: T0, values: [5, 6, 7] });
    await repo.writeAggregates(sinkRecords([r]));
    await repo.writeAggregates(sinkRecords([r]));
    await sleep(300);
    await sub.quit();
    expect(got).toHaveLength(1);
    const u = decodeHotUpdate(got[0] as string);
    expect(u).toMatchObject({ window: '1m', emit: 'final' });
    expect(u.record).not.toHaveProperty('digest');
    expect(u.record.count).toBe(3);
  });

  it('stores the bytes the processor wrote as they are and cuts only the digest out of the update', async () => {
    const svc = uniqueName('hot-raw');
    const sub = new Redis(testEnv().redisUrl);
    const got: string[] = [];
    await sub.subscribe(updatesChannel(redis.options.db));
    sub.on('message', (_c, m) => {
      if (m.includes(svc)) got.push(m);
    });
    // A tag named digest (with a quote in its value) must survive: only the record's own field goes.
    const tags = { digest: 'x","digest":"y', endpoint: '/a' };
    const r = makeAggregate({ serviceId: svc, tags, start: T0, values: [5, 6, 7] });
    const bytes = encodeAggregate(r);
    await repo.writeAggregates(sinkRecords([r], encodeAggregate));
    await sleep(300);
    await sub.quit();

    const members = await redis.zrangeBuffer(historyKey(svc, 'api.request.duration', '1m', tags), 0, -1);
    expect(members).toEqual([bytes]);
    expect(got).toHaveLength(1);
    const { digest: _digest, ...withoutDigest } = r;
    expect(JSON.parse(got[0] as string)).toEqual({ window: '1m', emit: 'final', record: withoutDigest });
  });

  it("publishes on its own database's channel: a deployment on another database hears nothing", async () => {
    const svc = uniqueName('hot-db');
    const otherDb = redis.options.db === 12 ? 14 : 12;
    const other = new Redis(`${testEnv().redisUrl.replace(/\/\d*$/, '')}/${otherDb}`);
    const listen = async (channel: string) => {
      const sub = new Redis(testEnv().redisUrl);
      const got: string[] = [];
      sub.on('message', (_c, m) => {
        if (m.includes(svc)) got.push(m);
      });
      await sub.subscribe(channel);
      return { sub, got };
    };
    const mine = await listen(updatesChannel(redis.options.db));
    const theirs = await listen(updatesChannel(otherDb));
    await new HotStoreRepository(other).writeAggregates(
      sinkRecords([makeAggregate({ serviceId: svc, start: T0, values: [1] })]),
    );
    await sleep(300);
    await Promise.all([mine.sub.quit(), theirs.sub.quit(), other.flushdb()]);
    await other.quit();
    expect(updatesChannel(otherDb)).toBe(`metrics:updates:${otherDb}`);
    expect(theirs.got).toHaveLength(1);
    expect(mine.got).toHaveLength(0);
  });
});
