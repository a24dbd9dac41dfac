import { Pool } from 'pg';
import type { AggregateRecord } from '@streammetrics/contracts';
import { testEnv, uniqueName } from '@streammetrics/testing';
import { decodeBatch, type SinkRecord } from './aggregate.batch';
import { AggregateRepository } from './aggregate.repository';
import { makeAggregate } from './testing/aggregate.fixture';

const T0 = Date.UTC(2026, 0, 5, 10, 0, 0);

function sinkRecords(records: AggregateRecord[]): SinkRecord[] {
  const messages = records.map((r, i) => ({
    key: Buffer.from(r.serviceId),
    value: Buffer.from(JSON.stringify(r)),
    offset: String(i),
    timestamp: String(Date.now()),
    attributes: 0,
    headers: {},
  }));
  return decodeBatch('t', 0, messages, { verifyDigest: true }).records;
}

describe('AggregateRepository (real PostgreSQL)', () => {
  let pool: Pool;
  let repo: AggregateRepository;
  beforeAll(() => {
    pool = new Pool({ connectionString: testEnv().databaseUrl, max: 2 });
    repo = new AggregateRepository(pool, { hourlyStateKey: 'unused-1h', lateAfterMs: 1e12 }, () => T0);
  });
  afterAll(() => pool.end());

  const rows = (svc: string) =>
    pool
      .query(
        `SELECT window_size, "timestamp", count, sum, is_final, stream_time, tags, tags_hash, digest, updated_at
           FROM metric_aggregates WHERE service_id = $1 ORDER BY window_size, tags_hash, "timestamp"`,
        [svc],
      )
      .then((r) => r.rows);

  it('upserts newer-wins and leaves rows untouched when the same or an older version comes again', async () => {
    const svc = uniqueName('pg-svc');
    const update = makeAggregate({
      serviceId: svc,
      start: T0,
      values: [1, 2],
      final: false,
      streamTime: T0 + 30_000,
    });
    const final = makeAggregate({
      serviceId: svc,
      start: T0,
      values: [1, 2, 3],
      final: true,
      streamTime: T0 + 70_000,
    });
    const later = makeAggregate({
      serviceId: svc,
      start: T0,
      values: [7],
      final: false,
      streamTime: T0 + 90_000,
    });
    const hop = makeAggregate({
      serviceId: svc,
      window: '1m-hop10s',
      tags: { b: '2', a: '1' },
      start: T0,
      values: [4],
    });

    expect((await repo.write(sinkRecords([update, hop]))).applied).toBe(2);
    expect((await repo.write(sinkRecords([final]))).applied).toBe(1);
    const before = await rows(svc);
    expect((await repo.write(sinkRecords([update, final, later, hop]))).applied).toBe(0);
    expect(await rows(svc)).toEqual(before);

    expect(before).toHaveLength(2);
    const [oneMinute, hopping] = before;
    expect(oneMinute).toMatchObject({ window_size: '1m', count: '3', sum: 6, is_final: true, tags: {} });
    expect(oneMinute.digest).toEqual(Buffer.from(final.digest, 'base64'));
    expect(hopping).toMatchObject({ window_size: '1m-hop10s', tags: { a: '1', b: '2' } });
  });

  it('returns the records PostgreSQL refuses and writes the rest of the batch', async () => {
    const svc = uniqueName('pg-bad');
    const good = [0, 1, 2, 3, 4].map((i) =>
      makeAggregate({ serviceId: svc, start: T0 + i * 60_000, values: [i + 1] }),
    );
    const tooLong = makeAggregate({ serviceId: `${svc}-${'x'.repeat(250)}`, start: T0, values: [1] });
    const result = await repo.write(
      sinkRecords([good[0], good[1], tooLong, good[2], good[3], good[4]] as AggregateRecord[]),
    );
    expect(result.applied).toBe(5);
    expect(result.rejected.map((r) => r.record.record.serviceId)).toEqual([tooLong.serviceId]);
    expect(result.rejected[0]?.error.retriable).toBe(false);
    expect(await rows(svc)).toHaveLength(5);
  });
});
