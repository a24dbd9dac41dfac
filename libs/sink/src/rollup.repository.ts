import type { PoolClient } from 'pg';
import { excludedAssignments, STAT_COLUMNS, statSqlType } from '@streammetrics/storage';
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
    const r = await c.query(rollupUpsertSql(res.targetTable), [
      res.id,
      ...ROLLUP_COLUMNS.map((col) => rows.map(col.value)),
    ]);
    return r.rowCount ?? 0;
  }
}

/** The columns a rollup row fills from its RollupRow, in statement order; $1 is the window size. */
const ROLLUP_COLUMNS: readonly { name: string; type: string; value: (r: RollupRow) => unknown }[] = [
  { name: '"timestamp"', type: 'timestamptz', value: (r) => new Date(r.start).toISOString() },
  { name: 'service_id', type: 'text', value: (r) => r.serviceId },
  { name: 'metric_name', type: 'text', value: (r) => r.metricName },
  { name: 'window_end', type: 'timestamptz', value: (r) => new Date(r.end).toISOString() },
  ...STAT_COLUMNS.map((stat) => ({ name: stat, type: statSqlType(stat), value: (r: RollupRow) => r[stat] })),
  { name: 'tags', type: 'jsonb', value: (r) => JSON.stringify(r.tags) },
  { name: 'tags_hash', type: 'text', value: (r) => r.tagsHash },
  { name: 'digest', type: 'bytea', value: (r) => r.digest },
  { name: 'stream_time', type: 'bigint', value: (r) => r.streamTime },
];

/**
 * Idempotent upsert of rollup rows: a row whose content would not change is not touched (its
 * updated_at stays). The exact statistics and the digest decide; the derived ones follow them.
 */
function rollupUpsertSql(table: string): string {
  const names = ROLLUP_COLUMNS.map((c) => c.name);
  const updated = [...STAT_COLUMNS, 'digest', 'stream_time'];
  // window_start is the same instant as "timestamp" (the partition key): sent once, written twice.
  return `INSERT INTO ${table} AS t (${names.join(', ')}, window_start, window_size, is_final)
    SELECT u.*, u."timestamp", $1::text, true
      FROM unnest(${ROLLUP_COLUMNS.map((c, i) => `$${i + 2}::${c.type}[]`).join(', ')}) AS u(${names.join(', ')})
    ON CONFLICT (service_id, metric_name, tags_hash, window_size, "timestamp") DO UPDATE SET
      ${excludedAssignments(updated)}, updated_at = now()
    WHERE (t.count, t.sum, t.min, t.max, t.digest) IS DISTINCT FROM
          (EXCLUDED.count, EXCLUDED.sum, EXCLUDED.min, EXCLUDED.max, EXCLUDED.digest)`;
}
