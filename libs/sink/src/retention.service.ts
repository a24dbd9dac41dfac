import type { Clock } from '@streammetrics/contracts';
import type { PartitionsRepository } from './partitions.repository';
import { expiredPartitions, type RetentionRule } from './retention.policy';
import type { SinkLog } from './sink.log';
import type { SinkMetrics } from './sink.metrics';

/**
 * Retention is a partition drop, never a DELETE: expiredPartitions() picks the partitions of each
 * table entirely past its retention, and each is dropped.
 */
export class RetentionService {
  constructor(
    private readonly partitions: PartitionsRepository,
    private readonly rules: readonly { table: string; retentionMs: number }[],
    private readonly clock: Clock,
    private readonly metrics: SinkMetrics,
    private readonly log: SinkLog,
  ) {}

  /** Drops every expired partition of every table; returns the names dropped. */
  async run(): Promise<string[]> {
    const dropped: string[] = [];
    for (const rule of this.rules) {
      const expired = expiredPartitions(
        await this.partitions.list(rule.table),
        this.clock.now(),
        rule.retentionMs,
      );
      for (const p of expired) {
        await this.partitions.drop(rule.table, p.name);
        dropped.push(p.name);
        this.metrics.partitionsDropped.inc({ table: rule.table });
      }
    }
    if (dropped.length > 0) this.log.info({ dropped }, 'expired partitions dropped');
    return dropped;
  }
}

export type { RetentionRule };
