import { STATS, type Stat } from '@streammetrics/contracts';

/**
 * The statistic columns of metric_aggregates and the rollup tables: one column per statistic,
 * named like it, so the statements that write and read them are generated from the one list of
 * statistics (adding a statistic is that list plus a migration adding its column).
 */
export const STAT_COLUMNS: readonly Stat[] = STATS;

/** The PostgreSQL array type a statistic travels as in an unnest() upsert. */
export function statSqlType(stat: Stat): 'bigint' | 'float8' {
  return stat === 'count' ? 'bigint' : 'float8';
}

/** `col = EXCLUDED.col` for each column, for an upsert's DO UPDATE SET. */
export function excludedAssignments(columns: readonly string[]): string {
  return columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ');
}
