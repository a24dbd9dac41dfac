import { expiredPartitions, retentionRules } from './retention.policy';
import { backoffDelay, DEFAULT_RETRY_POLICY } from './retry.policy';
import { DAY_MS, HOUR_MS, dueBuckets } from './rollup.plan';
import { groupBySeries, mergeSeries, type RollupInput } from './rollup.merge';
import { classifyPgError, classifyRedisError, isRetriable } from './store.errors';
import { TDigest } from '@streammetrics/tdigest';

describe('backoffDelay', () => {
  it('grows exponentially from the initial delay and is capped', () => {
    const p = { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0 };
    expect([0, 1, 2, 3, 6, 50].map((a) => backoffDelay(a, p))).toEqual([100, 200, 400, 800, 5_000, 5_000]);
  });
  it('jitters within ±jitter and never above the cap', () => {
    for (const r of [0, 0.5, 0.999]) {
      const d = backoffDelay(3, DEFAULT_RETRY_POLICY, () => r);
      expect(d).toBeGreaterThanOrEqual(800 * 0.8);
      expect(d).toBeLessThanOrEqual(800 * 1.2);
      expect(backoffDelay(40, DEFAULT_RETRY_POLICY, () => r)).toBeLessThanOrEqual(DEFAULT_RETRY_POLICY.maxMs);
    }
  });
});

describe('store error classification', () => {
  it('retries outages and refuses row-level PostgreSQL errors', () => {
    expect(
      isRetriable(
        classifyPgError(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
      ),
    ).toBe(true);
    expect(isRetriable(classifyPgError(new Error('Connection terminated unexpectedly')))).toBe(true);
    expect(isRetriable(classifyPgError({ code: '57P01' }))).toBe(true);
    expect(isRetriable(classifyPgError({ code: '42P01' }))).toBe(true);
    expect(isRetriable(classifyPgError({ code: '22001' }))).toBe(false);
    expect(isRetriable(classifyPgError({ code: '23514' }))).toBe(false);
  });
  it('treats Redis reply errors as permanent unless Redis says they are transient', () => {
    const reply = (message: string) => Object.assign(new Error(message), { name: 'ReplyError' });
    expect(isRetriable(classifyRedisError(reply('ERR user_script:1: bad')))).toBe(false);
    expect(isRetriable(classifyRedisError(reply('LOADING Redis is loading')))).toBe(true);
    expect(isRetriable(classifyRedisError(new Error('Connection is closed.')))).toBe(true);
  });
});

describe('expiredPartitions', () => {
  const parts = [
    { name: 'p_20260101', upperBound: Date.UTC(2026, 0, 2) },
    { name: 'p_20260102', upperBound: Date.UTC(2026, 0, 3) },
    { name: 'p_20260103', upperBound: Date.UTC(2026, 0, 4) },
    { name: 'p_default', upperBound: null },
  ];
  it('selects partitions whose upper bound is at or before now - retention, never the default', () => {
    const now = Date.UTC(2026, 0, 3) + 10 * DAY_MS;
    expect(expiredPartitions(parts, now, 10 * DAY_MS).map((p) => p.name)).toEqual([
      'p_20260101',
      'p_20260102',
    ]);
    expect(expiredPartitions(parts, now - 1, 10 * DAY_MS).map((p) => p.name)).toEqual(['p_20260101']);
    expect(expiredPartitions(parts, now, 1000 * DAY_MS)).toEqual([]);
  });
  it('has the design retention per table', () => {
    expect(
      retentionRules({ raw: 90, hourly: 365, daily: 1095 }).map((r) => [r.table, r.retentionMs / DAY_MS]),
    ).toEqual([
      ['metric_aggregates', 90],
      ['metric_rollups_hourly', 365],
      ['metric_rollups_daily', 1095],
    ]);
  });
});

describe('dueBuckets', () => {
  it('lists whole buckets after the watermark that end by readyUntil, at most max', () => {
    const h0 = Date.UTC(2026, 0, 1, 10);
    expect(dueBuckets(h0, h0 + 3 * HOUR_MS - 1, HOUR_MS, 10)).toEqual([h0, h0 + HOUR_MS]);
    expect(dueBuckets(h0, h0 + 3 * HOUR_MS, HOUR_MS, 10)).toHaveLength(3);
    expect(dueBuckets(h0, h0 + 30 * HOUR_MS, HOUR_MS, 4)).toHaveLength(4);
    expect(dueBuckets(h0, h0 + HOUR_MS - 1, HOUR_MS, 10)).toEqual([]);
  });
});

describe('mergeSeries', () => {
  const input = (start: number, values: number[], tagsHash = 'h'): RollupInput => {
    const d = new TDigest();
    d.addMany(values);
    return {
      serviceId: 's',
      metricName: 'm',
      tagsHash,
      tags: {},
      start,
      count: values.length,
      sum: values.reduce((a, b) => a + b, 0),
      min: Math.min(...values),
      max: Math.max(...values),
      streamTime: start + 70_000,
      digest: d.toBytes(),
    };
  };
  it('sums the exact fields and merges the digests', () => {
    const h = Date.UTC(2026, 0, 1, 10);
    const a = input(h, [1, 2, 3]);
    const b = input(h + 60_000, [10, 20]);
    const row = mergeSeries([a, b], h, HOUR_MS);
    expect(row).toMatchObject({
      count: 5,
      sum: 36,
      min: 1,
      max: 20,
      avg: 36 / 5,
      rate: 5 / 3600,
      end: h + HOUR_MS,
    });
    expect(row.streamTime).toBe(b.streamTime);
    expect(TDigest.fromBytes(row.digest as Buffer).count).toBe(5);
  });
  it('keeps exact fields when a digest is damaged', () => {
    const a = { ...input(0, [1, 2]), digest: new Uint8Array([1, 2, 3]) };
    const row = mergeSeries([a, input(60_000, [5])], 0, HOUR_MS);
    expect(row.count).toBe(3);
    expect(TDigest.fromBytes(row.digest as Buffer).count).toBe(1);
  });
  it('groups rows sorted by series into runs', () => {
    expect(
      groupBySeries([input(0, [1], 'a'), input(1, [1], 'a'), input(0, [1], 'b')]).map((g) => g.length),
    ).toEqual([2, 1]);
  });
});
