import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { type AggregateRecord, ManualClock } from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';
import { testEnv, uniqueName } from '@streammetrics/testing';
import { decodeBatch, type SinkRecord } from './aggregate.batch';
import { AggregateRepository } from './aggregate.repository';
import { DAY_MS, HOUR_MS, floorTo } from './rollup.plan';
import { DEFAULT_ROLLUP_OPTIONS, RollupService } from './rollup.service';
import { silentLog } from './sink.log';
import { createSinkMetrics } from './sink.metrics';
import { makeAggregate, seededValues } from './testing/aggregate.fixture';

const DELAY = 5 * 60_000;

function sinkRecords(records: AggregateRecord[]): SinkRecord[] {
  const messages = records.map((r, i) => ({
    key: null,
    value: Buffer.from(JSON.stringify(r)),
    offset: String(i),
    timestamp: '0',
    attributes: 0,
    headers: {},
  }));
  return decodeBatch('t', 0, messages, { verifyDigest: true }).records;
}

function exactQuantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] as number;
}

describe('RollupService (real PostgreSQL)', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ connectionString: testEnv().databaseUrl, max: 4 });
  });
  afterAll(() => pool.end());

  it('builds hourly and daily rollups equal to a direct computation, idempotently, and rebuilds late hours', async () => {
    // Three hours ago, so the rows live in recent partitions nobody's retention touches.
    const hour = floorTo(Date.now() - 3 * HOUR_MS, HOUR_MS);
    const day = floorTo(hour, DAY_MS);
    const svc = uniqueName('rollup-svc');
    const keyPrefix = `${uniqueName('t')}:`;
    const clock = new ManualClock(hour + HOUR_MS + DELAY + 1);
    const metrics = createSinkMetrics(new Registry());
    const rollups = new RollupService(
      pool,
      {
        ...DEFAULT_ROLLUP_OPTIONS,
        stateKeyPrefix: keyPrefix,
        delayMs: DELAY,
        initialLookbackMs: clock.now() - day,
      },
      clock,
      metrics,
      silentLog,
    );
    const writer = new AggregateRepository(
      pool,
      { hourlyStateKey: `${keyPrefix}1h`, lateAfterMs: DELAY },
      () => clock.now(),
    );

    // Two series; minute 7 of the tagged series never gets a final (only an update), and a 5m
    // window sits in the same hour: neither may count.
    const inputs: AggregateRecord[] = [];
    const valuesOf = (m: number, tagged: boolean) => seededValues(m + (tagged ? 1000 : 0), 30 + m);
    for (const tags of [{}, { endpoint: '/x' }] as Record<string, string>[]) {
      for (let m = 0; m < 60; m++) {
        const values = valuesOf(m, Object.keys(tags).length > 0);
        inputs.push(
          makeAggregate({
            serviceId: svc,
            tags,
            start: hour + m * 60_000,
            values,
            final: !(m === 7 && Object.keys(tags).length),
          }),
        );
      }
    }
    const fiveMinute = makeAggregate({ serviceId: svc, window: '5m', start: hour, values: [1e6] });
    await writer.write(sinkRecords([...inputs, fiveMinute]));

    const first = await rollups.run();
    expect(first.hours).toBeGreaterThanOrEqual(1);
    const hourly = async () =>
      (
        await pool.query(
          `SELECT tags_hash, count, sum, min, max, avg, p50, p99, digest, window_size, window_end, updated_at
             FROM metric_rollups_hourly WHERE service_id = $1 AND "timestamp" = $2 ORDER BY tags_hash`,
          [svc, new Date(hour).toISOString()],
        )
      ).rows;
    const rows = await hourly();
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      const mine = inputs.filter((r) => r.final && sinkRecords([r])[0]?.tagsHash === row.tags_hash);
      const values = mine.flatMap((r) =>
        valuesOf((r.window.start - hour) / 60_000, Object.keys(r.tags).length > 0),
      );
      const sum = mine.reduce((s, r) => s + r.sum, 0);
      const merged = TDigest.mergeAll(mine.map((r) => TDigest.fromBase64(r.digest)));
      expect(row).toMatchObject({
        window_size: '1h',
        count: String(mine.reduce((s, r) => s + r.count, 0)),
        sum,
        min: Math.min(...mine.map((r) => r.min)),
        max: Math.max(...mine.map((r) => r.max)),
      });
      expect(row.window_end.getTime()).toBe(hour + HOUR_MS);
      expect(row.digest).toEqual(Buffer.from(merged.toBytes()));
      expect(row.p50).toBe(merged.quantile(0.5));
      // Percentiles within the digest's error of the exact percentile over every raw value.
      const sorted = values.sort((a, b) => a - b);
      const range = (sorted[sorted.length - 1] as number) - (sorted[0] as number);
      expect(Math.abs(row.p50 - exactQuantile(sorted, 0.5))).toBeLessThan(0.02 * range);
      expect(Math.abs(row.p99 - exactQuantile(sorted, 0.99))).toBeLessThan(0.02 * range);
    }
    expect(rows.map((r) => Number(r.count)).sort((a, b) => a - b)).toEqual(
      [
        inputs.filter((r) => r.final && Object.keys(r.tags).length).reduce((s, r) => s + r.count, 0),
        inputs.filter((r) => !Object.keys(r.tags).length).reduce((s, r) => s + r.count, 0),
      ].sort((a, b) => a - b),
    );

    // Nothing new is due: a second run writes nothing, and the rows (updated_at included) stay.
    const again = await rollups.run();
    expect(again).toEqual({ hours: 0, days: 0, rows: 0 });
    expect(await hourly()).toEqual(rows);

    // The missing final arrives late: its hour is marked dirty and rebuilt on the next run.
    const lateFinal = makeAggregate({
      serviceId: svc,
      tags: { endpoint: '/x' },
      start: hour + 7 * 60_000,
      values: [1, 2, 3],
      final: true,
    });
    await writer.write(sinkRecords([lateFinal]));
    const rebuilt = await rollups.run();
    expect(rebuilt.hours).toBe(1);
    const after = await hourly();
    const tagged = after.find((r) => r.tags_hash === sinkRecords([lateFinal])[0]?.tagsHash);
    const before = rows.find((r) => r.tags_hash === tagged?.tags_hash);
    expect(Number(tagged?.count)).toBe(Number(before?.count) + 3);

    // Once the day is over, the daily rollup is the sum of its hours.
    clock.set(day + DAY_MS + DELAY + 1);
    await rollups.run();
    const daily = (
      await pool.query(
        `SELECT tags_hash, count, sum, min, max, window_size FROM metric_rollups_daily
          WHERE service_id = $1 AND "timestamp" = $2 ORDER BY tags_hash`,
        [svc, new Date(day).toISOString()],
      )
    ).rows;
    expect(daily).toEqual(
      after.map((h) => ({
        tags_hash: h.tags_hash,
        count: h.count,
        sum: h.sum,
        min: h.min,
        max: h.max,
        window_size: '1d',
      })),
    );
  });
});
