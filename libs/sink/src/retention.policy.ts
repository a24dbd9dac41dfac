/** One range partition as the catalogue describes it; upper bound null for a DEFAULT partition. */
export interface PartitionInfo {
  name: string;
  upperBound: number | null;
}

export interface RetentionRule {
  table: 'metric_aggregates' | 'metric_rollups_hourly' | 'metric_rollups_daily';
  retentionMs: number;
}

const DAY_MS = 86_400_000;

/** docs/CONTRACTS.md "Storage": raw windows 90 days, hourly 1 year, daily 3 years by default. */
export function retentionRules(days: { raw: number; hourly: number; daily: number }): RetentionRule[] {
  return [
    { table: 'metric_aggregates', retentionMs: days.raw * DAY_MS },
    { table: 'metric_rollups_hourly', retentionMs: days.hourly * DAY_MS },
    { table: 'metric_rollups_daily', retentionMs: days.daily * DAY_MS },
  ];
}

/**
 * Partitions whose every row is older than the retention: the upper bound (exclusive) is at or
 * before now - retention. A partition that straddles the cut-off stays until it is entirely
 * expired (retention is a drop, never a DELETE); a DEFAULT partition is never dropped.
 */
export function expiredPartitions(
  parts: readonly PartitionInfo[],
  nowMs: number,
  retentionMs: number,
): PartitionInfo[] {
  const cutoff = nowMs - retentionMs;
  return parts.filter((p) => p.upperBound !== null && p.upperBound <= cutoff);
}
