import { Pool } from 'pg';
import { Registry } from 'prom-client';
import { testEnv, uniqueName } from '@streammetrics/testing';
import { ManualClock } from '@streammetrics/contracts';
import { PartitionsRepository } from './partitions.repository';
import { RetentionService } from './retention.service';
import { silentLog } from './sink.log';
import { createSinkMetrics } from './sink.metrics';

const DAY = 86_400_000;

describe('RetentionService (real PostgreSQL)', () => {
  let pool: Pool;
  beforeAll(() => {
    pool = new Pool({ connectionString: testEnv().databaseUrl, max: 2 });
  });
  afterAll(() => pool.end());

  it('drops exactly the partitions entirely older than the retention', async () => {
    // A table of the same shape as metric_aggregates, of our own: retention is a drop, and the
    // shared tables hold other tests' partitions.
    const table = uniqueName('ret').replace(/-/g, '_');
    await pool.query(
      `CREATE TABLE ${table} (LIKE metric_aggregates INCLUDING DEFAULTS) PARTITION BY RANGE ("timestamp")`,
    );
    try {
      const now = Date.UTC(2026, 5, 15, 12, 30);
      const days = [-120, -91, -90, -89, -1, 0].map((d) => Date.UTC(2026, 5, 15) + d * DAY);
      for (const d of days)
        await pool.query(`SELECT sm_ensure_partition($1, 'day', $2)`, [table, new Date(d).toISOString()]);
      await pool.query(`CREATE TABLE ${table}_default PARTITION OF ${table} DEFAULT`);
      const partitions = new PartitionsRepository(pool);
      const service = new RetentionService(
        partitions,
        [{ table, retentionMs: 90 * DAY }],
        new ManualClock(now),
        createSinkMetrics(new Registry()),
        silentLog,
      );
      expect((await partitions.list(table)).map((p) => p.name)).toHaveLength(7);
      // Cut-off 2026-03-17T12:30: the partitions of 02-15 and 03-16 end before it; 03-17 straddles it.
      expect(await service.run()).toEqual([`${table}_20260215`, `${table}_20260316`]);
      expect((await partitions.list(table)).map((p) => p.name)).toEqual([
        `${table}_20260317`,
        `${table}_20260318`,
        `${table}_20260614`,
        `${table}_20260615`,
        `${table}_default`,
      ]);
      expect(await service.run()).toEqual([]);
    } finally {
      await pool.query(`DROP TABLE IF EXISTS ${table}`);
    }
  });
});
