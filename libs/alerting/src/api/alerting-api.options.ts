import type { Clock } from '@streammetrics/contracts';

/** What the alerting API needs from the query-api's validated config (read once at boot). */
export interface AlertingApiOptions {
  databaseUrl: string;
  /** Wall-clock time for silences (active now, ends in the future); the system clock by default. */
  clock?: Clock;
}

export const ALERTING_PG_POOL = Symbol('ALERTING_PG_POOL');
