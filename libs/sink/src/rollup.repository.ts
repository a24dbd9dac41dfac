import type { PoolClient } from 'pg';
import type { RollupInput, RollupRow } from './rollup.merge';
import type { RollupResolution } from './rollup.plan';

interface InputRow {
  service_id: string;
  metric_name: string;
  tags_hash: string;
  tags: Record<string, string>;
  ts: Date;
  count: string;
  sum: number;
  min: number;
  max: number;
  stream_time: string;
  digest: Buffer | null;
}

/** Series keyset cursor: (service, metric, tags hash) of the last complete series read. */
export type SeriesCursor = [string, string, string];

/**
 * rollup_state, rollup_dirty and the rollup tables. Every method takes the caller's client so a
 * bucket is built, written and its watermark advanced in one transaction.
 */
export class RollupRepository {
  /** Locks the watermark row for the transaction (creating it at `initial` the first time). */
  async lockWatermark(c: PoolClient, key: string, initial: number): Promise<number> {
    await c.query(
      `INSERT INTO rollup_state (resolution, done_until) VALUES ($1, $2) ON CONFLICT (resolution) DO NOTHING`,
      [key, new Date(initial).toISOString()],
    );
    const r = await c.query<{ done_until: Date }>(
      'SELECT done_until FROM rollup_state WHERE resolution = $1 FOR UPDATE',
      [key],
    );
    return (r.rows[0] as { done_until: Date }).done_until.getTime();
  }

  async readWatermark(c: PoolClient, key: string): Promise<number | undefined> {
    const r = await c.query<{ done_until: Date }>(
      'SELECT done_until FROM rollup_state WHERE resolution = $1',
      [key],
    );
    return r.rows[0]?.done_until.getTime();
  }

  async setWatermark(c: PoolClient, key: string, doneUntil: number): Promise<void> {
    await c.query('UPDATE rollup_state SET done_until = $2, updated_at = now() WHERE resolution = $1', [
      key,
      new Date(doneUntil).toISOString(),
    ]);
  }

  async dirtyBuckets(c: PoolClient, key: string, limit: number): Promise<number[]> {
    const r = await c.query<{ bucket: Date }>(
      'SELECT bucket FROM rollup_dirty WHERE resolution = $1 ORDER BY bucket LIMIT $2',
      [key, limit],
    );
    return r.rows.map((row) => row.bucket.getTime());
  }

  async markDirty(c: PoolClient, key: string, bucket: number): Promise<void> {
    await c.query(`INSERT INTO rollup_dirty (resolution, bucket) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
      key,
      new Date(bucket).toISOString(),
    ]);
  }

  async clearDirty(c: PoolClient, key: string, bucket: number): Promise<void> {
    await c.query('DELETE FROM rollup_dirty WHERE resolution = $1 AND bucket = $2', [
      key,
      new Date(bucket).toISOString(),
    ]);
  }

  /**
   * One page of a bucket's input windows in series order. Follows the primary key
   * (service, metric, tags hash, window size, timestamp), so each page is an index range scan.
   */
  async readInputs(
    c: PoolClient,
    res: RollupResolution,
    from: number,
    after: SeriesCursor | null,
    limit: number,
  ): Promise<RollupInput[]> {
    const params: unknown[] = [
      res.sourceWindow,
      new Date(from).toISOString(),
      new Date(from + res.bucketMs).toISOString(),
      limit,
    ];
    let cursor = '';
    if (after) {
      params.push(...after);
      cursor = 'AND (service_id, metric_name, tags_hash) > ($5, $6, $7)';
    }
    const finalOnly = res.sourceTable === 'metric_aggregates' ? 'AND is_final' : '';
    const r = await c.query<InputRow>(
      `SELECT service_id, metric_name, tags_hash, tags, "timestamp" AS ts, count, sum, min, max, stream_time, digest
         FROM ${res.sourceTable}
        WHERE window_size = $1 AND "timestamp" >= $2 AND "timestamp" < $3 ${finalOnly} ${cursor}
        ORDER BY service_id, metric_name, tags_hash, "timestamp"
        LIMIT $4`,
      params,
    );
    return r.rows.map((row) => ({
      serviceId: row.service_id,
      metricName: row.metric_name,
      tagsHash: row.tags_hash,
      tags: row.tags,
      start: row.ts.getTime(),
      count: Number(row.count),
      sum: row.sum,
      min: row.min,
      max: row.max,
      streamTime: Number(row.stream_time),
      digest: row.digest,
    }));
  }

  /** Idempotent: a row whose content would not change is not touched (its updated_at stays). */
  async upsert(c: PoolClient, res: RollupResolution, rows: readonly RollupRow[]): Promise<number> {
    if (rows.length === 0) return 0;
    await c.query(`SELECT sm_ensure_partition($1, $2, $3)`, [
      res.targetTable,
      res.partitionUnit,
      new Date((rows[0] as RollupRow).start).toISOString(),
    ]);
    const col = <T>(f: (r: RollupRow) => T) => rows.map(f);
    const r = await c.query(
      `INSERT INTO ${res.targetTable} AS t (
         "timestamp", service_id, metric_name, window_size, window_start, window_end, count, sum, avg,
         min, max, rate, p50, p95, p99, tags, tags_hash, digest, is_final, stream_time)
       SELECT ts, s, m, $4::text, ts, te, n, su, av, mi, ma, ra, q50, q95, q99, tg, th, dg, true, st
         FROM unnest($1::timestamptz[], $2::text[], $3::text[], $5::timestamptz[], $6::bigint[],
                     $7::float8[], $8::float8[], $9::float8[], $10::float8[], $11::float8[],
                     $12::float8[], $13::float8[], $14::float8[], $15::jsonb[], $16::text[],
                     $17::bytea[], $18::bigint[])
           AS u(ts, s, m, te, n, su, av, mi, ma, ra, q50, q95, q99, tg, th, dg, st)
       ON CONFLICT (service_id, metric_name, tags_hash, window_size, "timestamp") DO UPDATE SET
         count = EXCLUDED.count, sum = EXCLUDED.sum, avg = EXCLUDED.avg, min = EXCLUDED.min,
         max = EXCLUDED.max, rate = EXCLUDED.rate, p50 = EXCLUDED.p50, p95 = EXCLUDED.p95,
         p99 = EXCLUDED.p99, digest = EXCLUDED.digest, stream_time = EXCLUDED.stream_time,
         updated_at = now()
       WHERE (t.count, t.sum, t.min, t.max, t.digest) IS DISTINCT FROM
             (EXCLUDED.count, EXCLUDED.sum, EXCLUDED.min, EXCLUDED.max, EXCLUDED.digest)`,
      [
        col((x) => new Date(x.start).toISOString()),
        col((x) => x.serviceId),
        col((x) => x.metricName),
        res.id,
        col((x) => new Date(x.end).toISOString()),
        col((x) => x.count),
        col((x) => x.sum),
        col((x) => x.avg),
        col((x) => x.min),
        col((x) => x.max),
        col((x) => x.rate),
        col((x) => x.p50),
        col((x) => x.p95),
        col((x) => x.p99),
        col((x) => JSON.stringify(x.tags)),
        col((x) => x.tagsHash),
        col((x) => x.digest),
        col((x) => x.streamTime),
      ],
    );
    return r.rowCount ?? 0;
  }
}
