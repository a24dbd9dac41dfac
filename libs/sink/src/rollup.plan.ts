import type { RollupId } from '@streammetrics/contracts';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** How each rollup resolution is built: from which table and window size, into which table. */
export interface RollupResolution {
  id: RollupId;
  bucketMs: number;
  sourceTable: 'metric_aggregates' | 'metric_rollups_hourly';
  sourceWindow: '1m' | '1h';
  targetTable: 'metric_rollups_hourly' | 'metric_rollups_daily';
  partitionUnit: 'month' | 'year';
}

/**
 * Hours merge the final 1m windows. Days merge the hourly rollups (themselves merged from the same
 * final 1m windows): the exact fields are the same sums, the digest merge reads 24 inputs per
 * series instead of 1,440.
 */
export const ROLLUPS: readonly RollupResolution[] = [
  {
    id: '1h',
    bucketMs: HOUR_MS,
    sourceTable: 'metric_aggregates',
    sourceWindow: '1m',
    targetTable: 'metric_rollups_hourly',
    partitionUnit: 'month',
  },
  {
    id: '1d',
    bucketMs: DAY_MS,
    sourceTable: 'metric_rollups_hourly',
    sourceWindow: '1h',
    targetTable: 'metric_rollups_daily',
    partitionUnit: 'year',
  },
];

export function floorTo(ms: number, unit: number): number {
  return Math.floor(ms / unit) * unit;
}

/**
 * Buckets due after `doneUntil`: those that end at or before `readyUntil` (for hours: now minus
 * the grace and a margin, so every 1m window of the hour has closed and its final has had time to
 * arrive; for days: the hourly watermark). At most `max` per call, oldest first.
 */
export function dueBuckets(doneUntil: number, readyUntil: number, bucketMs: number, max: number): number[] {
  const out: number[] = [];
  for (let b = doneUntil; b + bucketMs <= readyUntil && out.length < max; b += bucketMs) out.push(b);
  return out;
}
