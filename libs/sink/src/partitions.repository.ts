import type { Pool } from 'pg';
import type { PartitionInfo } from './retention.policy';

/**
 * The range partitions of the aggregate and rollup tables, read from the catalogue: each with its
 * upper bound from pg_get_expr of the partition bound, so any range partition counts, whoever
 * created it and whatever its name.
 */
export class PartitionsRepository {
  constructor(private readonly pool: Pool) {}

  async list(table: string): Promise<PartitionInfo[]> {
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

  /** DETACH first so the parent's lock is brief; the drop of the detached table then blocks nobody. */
  async drop(table: string, partition: string): Promise<void> {
    const c = await this.pool.connect();
    try {
      await c.query(
        `ALTER TABLE ${c.escapeIdentifier(table)} DETACH PARTITION ${c.escapeIdentifier(partition)}`,
      );
      await c.query(`DROP TABLE ${c.escapeIdentifier(partition)}`);
    } finally {
      c.release();
    }
  }
}
