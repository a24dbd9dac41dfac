import type { Pool, PoolClient } from 'pg';
import { excludedAssignments, STAT_COLUMNS, statSqlType } from '@streammetrics/storage';
import type { SinkRecord } from './aggregate.batch';
import { classifyPgError, StoreUnavailableError, UnwritableRecordError } from './store.errors';
import type { StoreWriteResult } from './store.writer';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** The columns the sink writes, in statement order; `update` ones change on a newer version. */
const COLUMNS: readonly { name: string; type: string; update: boolean; value: (s: SinkRecord) => unknown }[] =
  [
    { name: '"timestamp"', type: 'timestamptz', update: false, value: (s) => iso(s.record.window.start) },
    { name: 'service_id', type: 'text', update: false, value: (s) => s.record.serviceId },
    { name: 'metric_name', type: 'text', update: false, value: (s) => s.record.metricName },
    { name: 'window_size', type: 'text', update: false, value: (s) => s.windowId },
    { name: 'window_end', type: 'timestamptz', update: true, value: (s) => iso(s.record.window.end) },
    ...STAT_COLUMNS.map((stat) => ({
      name: stat,
      type: statSqlType(stat),
      update: true,
      value: (s: SinkRecord) => s.record[stat],
    })),
    { name: 'tags', type: 'jsonb', update: true, value: (s) => JSON.stringify(s.record.tags) },
    { name: 'tags_hash', type: 'text', update: false, value: (s) => s.tagsHash },
    { name: 'digest', type: 'bytea', update: true, value: (s) => Buffer.from(s.record.digest, 'base64') },
    { name: 'is_final', type: 'boolean', update: true, value: (s) => s.record.final },
    { name: 'stream_time', type: 'bigint', update: true, value: (s) => s.record.streamTime },
    {
      name: 'emitted_at',
      type: 'timestamptz',
      update: true,
      value: (s) => (s.record.emittedAt > 0 ? iso(s.record.emittedAt) : null),
    },
  ];

/**
 * One multi-row upsert for the whole batch: the columns travel as one array each and unnest() turns
 * them back into rows, so the statement text and parameter count do not grow with the batch (a
 * VALUES list would hit the 65,535-parameter limit near 3,000 rows and be re-planned per size).
 * The WHERE makes the upsert newer-wins with isNewerVersion's rule: a final beats updates, then
 * the newer stream time; a replayed or older version leaves the row (and its updated_at) alone.
 */
// window_start is the same instant as "timestamp" (the partition key): sent once, written twice.
const COLUMN_NAMES = COLUMNS.map((c) => c.name).join(', ');
const UPSERT_SQL = `
INSERT INTO metric_aggregates AS m (${COLUMN_NAMES}, window_start)
SELECT u.*, u."timestamp" FROM unnest(${COLUMNS.map((c, i) => `$${i + 1}::${c.type}[]`).join(', ')}) AS u(${COLUMN_NAMES})
ON CONFLICT (service_id, metric_name, tags_hash, window_size, "timestamp") DO UPDATE SET
  ${excludedAssignments(COLUMNS.filter((c) => c.update).map((c) => c.name))}, updated_at = now()
WHERE (EXCLUDED.is_final AND NOT m.is_final)
   OR (EXCLUDED.is_final = m.is_final AND EXCLUDED.stream_time > m.stream_time)`;

export interface AggregateRepositoryOptions {
  /** rollup_state key of the hourly rollup whose watermark late finals are checked against. */
  hourlyStateKey: string;
  /** A final 1m window whose hour ended longer ago than this may already be rolled up. */
  lateAfterMs: number;
}

/** metric_aggregates: the cold store's window rows, behind one class (services never call pg). */
export class AggregateRepository {
  readonly store = 'postgres' as const;
  /** Day partitions known to exist; sm_ensure_partition is idempotent, this only saves round trips. */
  private readonly partitions = new Set<number>();

  constructor(
    private readonly pool: Pool,
    private readonly opts: AggregateRepositoryOptions,
    private readonly now: () => number,
  ) {}

  /**
   * Writes the batch; on a row-level rejection (SQLSTATE 22/23) it bisects to find the records at
   * fault, which it returns for dead-lettering while everything else is written.
   */
  async write(records: readonly SinkRecord[]): Promise<StoreWriteResult> {
    if (records.length === 0) return { applied: 0, rejected: [] };
    try {
      return { applied: await this.upsert(records), rejected: [] };
    } catch (err) {
      if (!(err instanceof UnwritableRecordError)) throw err;
      if (records.length === 1)
        return { applied: 0, rejected: [{ record: records[0] as SinkRecord, error: err }] };
      const mid = records.length >> 1;
      const a = await this.write(records.slice(0, mid));
      const b = await this.write(records.slice(mid));
      return { applied: a.applied + b.applied, rejected: [...a.rejected, ...b.rejected] };
    }
  }

  async ping(): Promise<void> {
    try {
      await this.pool.query('SELECT 1');
    } catch (err) {
      throw new StoreUnavailableError('postgres', err);
    }
  }

  private async upsert(records: readonly SinkRecord[]): Promise<number> {
    let client: PoolClient;
    try {
      client = await this.pool.connect();
    } catch (err) {
      throw new StoreUnavailableError('postgres', err);
    }
    let broken = false;
    try {
      await this.ensurePartitions(client, records);
      const lateHours = this.lateFinalHours(records);
      if (lateHours.length === 0) return (await client.query(UPSERT_SQL, columns(records))).rowCount ?? 0;
      await client.query('BEGIN');
      try {
        // FOR SHARE waits for a rollup run in progress (it holds the row FOR UPDATE) and keeps the
        // watermark from moving until this commits: either the rollup sees these rows, or the
        // rows see its new watermark and mark their hours dirty. No final slips between the two.
        const state = await client.query<{ done_until: Date }>(
          'SELECT done_until FROM rollup_state WHERE resolution = $1 FOR SHARE',
          [this.opts.hourlyStateKey],
        );
        const n = (await client.query(UPSERT_SQL, columns(records))).rowCount ?? 0;
        const doneUntil = state.rows[0]?.done_until.getTime();
        const dirty = doneUntil === undefined ? [] : lateHours.filter((h) => h < doneUntil);
        if (dirty.length > 0) {
          await client.query(
            `INSERT INTO rollup_dirty (resolution, bucket)
             SELECT $1, b FROM unnest($2::timestamptz[]) AS b ON CONFLICT DO NOTHING`,
            [this.opts.hourlyStateKey, dirty.map((h) => new Date(h).toISOString())],
          );
        }
        await client.query('COMMIT');
        return n;
      } catch (err) {
        await client.query('ROLLBACK').catch(() => undefined);
        throw err;
      }
    } catch (err) {
      const classified = classifyPgError(err);
      broken = classified instanceof StoreUnavailableError;
      throw classified;
    } finally {
      // A client that saw a connection error must not go back to the pool.
      client.release(broken);
    }
  }

  /** Hours of final 1m windows that arrive after their hour could have been rolled up. */
  private lateFinalHours(records: readonly SinkRecord[]): number[] {
    const limit = this.now() - this.opts.lateAfterMs;
    const hours = new Set<number>();
    for (const r of records) {
      if (r.windowId !== '1m' || !r.record.final) continue;
      const hour = Math.floor(r.record.window.start / HOUR_MS) * HOUR_MS;
      if (hour + HOUR_MS <= limit) hours.add(hour);
    }
    return [...hours];
  }

  private async ensurePartitions(client: PoolClient, records: readonly SinkRecord[]): Promise<void> {
    const missing = new Set<number>();
    for (const r of records) {
      const day = Math.floor(r.record.window.start / DAY_MS) * DAY_MS;
      if (!this.partitions.has(day)) missing.add(day);
    }
    for (const day of missing) {
      await client.query(`SELECT sm_ensure_partition('metric_aggregates', 'day', $1)`, [
        new Date(day).toISOString(),
      ]);
      this.partitions.add(day);
    }
  }
}

function columns(records: readonly SinkRecord[]): unknown[][] {
  return COLUMNS.map((c) => records.map(c.value));
}

const iso = (ms: number) => new Date(ms).toISOString();
