import type { Pool } from 'pg';
import type { Clock } from '@streammetrics/contracts';
import { expiredPartitions, type PartitionInfo, type RetentionRule } from './retention.policy';
import type { SinkLog } from './sink.log';
import type { SinkMetrics } from './sink.metrics';

/**
 * Retention is a partition drop, never a DELETE: the catalogue lists each partition of a
 * table with its upper bound, expiredPartitions() picks the ones entirely past the retention, and
 * each is dropped. Bounds come from pg_get_expr of the partition bound, so any range partition
 * counts, whoever created it and whatever its name.
 */
export class RetentionService {
  constructor(
    private readonly pool: Pool,
    private readonly rules: readonly { table: string; retentionMs: number }[],
    private readonly clock: Clock,
    private readonly metrics: SinkMetrics,
    private readonly log: SinkLog,
  ) {}

  async listPartitions(table: string): Promise<PartitionInfo[]> {
    const r = await this.pool.query<{ name: string; upper: Date | null }>(
      `SELECT c.relname AS name,
              (regexp_match(pg_get_expr(c.relpartbound, c.oid), 'TO \\(''([^'']+)''\\)'))[1]::timestamptz AS upper
         FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
         JOIN pg_namespace n ON n.oid = p.relnamespace
        WHERE p.relname = $1 AND n.nspname = current_schema()
        ORDER BY 1`,
      [table],
    );
    return r.rows.map((row) => ({ name: row.name, upperBound: row.upper ? row.upper.getTime() : null }));
  }

  /** Drops every expired partition of every table; returns the names dropped. */
  async run(): Promise<string[]> {
    const dropped: string[] = [];
    for (const rule of this.rules) {
      const expired = expiredPartitions(
        await this.listPartitions(rule.table),
        this.clock.now(),
        rule.retentionMs,
      );
      for (const p of expired) {
        // DETACH first so the parent's lock is brief; the drop of the detached table then blocks nobody.
        const c = await this.pool.connect();
        try {
          await c.query(
            `ALTER TABLE ${c.escapeIdentifier(rule.table)} DETACH PARTITION ${c.escapeIdentifier(p.name)}`,
          );
          await c.query(`DROP TABLE ${c.escapeIdentifier(p.name)}`);
        } finally {
          c.release();
        }
        dropped.push(p.name);
        this.metrics.partitionsDropped.inc({ table: rule.table });
      }
    }
    if (dropped.length > 0) this.log.info({ dropped }, 'expired partitions dropped');
    return dropped;
  }
}

export type { RetentionRule };
