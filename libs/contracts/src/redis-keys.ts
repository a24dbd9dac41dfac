import type { WindowId } from './windows';
import { tagsHash } from './tags';

/**
 * Redis key formats (docs/CONTRACTS.md "Storage"), defined once for the sink that writes and the query API
 * that reads.
 */
export const HOT_TTL_SECONDS = 3600;

/** Latest window statistics of the service-level rollup: metrics:{serviceId}:{metricName}:{window}. */
export function latestKey(serviceId: string, metricName: string, window: WindowId): string {
  return `metrics:${serviceId}:${metricName}:${window}`;
}

/** Time-ordered history (sorted set scored by window start) of one series over the last hour. */
export function historyKey(
  serviceId: string,
  metricName: string,
  window: WindowId,
  tags: Record<string, string>,
): string {
  return `metrics:history:${serviceId}:${metricName}:${window}:${tagsHash(tags)}`;
}

/** Registry of the tag sets seen for a metric (hash: tagsHash -> canonical tags JSON). */
export function seriesIndexKey(serviceId: string, metricName: string): string {
  return `metrics:series:${serviceId}:${metricName}`;
}

/** Every service seen in the last hour (sorted set scored by last update). */
export const SERVICES_KEY = 'metrics:services';

/** Metrics of a service seen in the last hour (sorted set scored by last update). */
export function metricsOfServiceKey(serviceId: string): string {
  return `metrics:metrics:${serviceId}`;
}

/**
 * Pub/sub channel carrying every aggregate update of one Redis database, for the WebSocket
 * fan-out. Redis pub/sub is server-wide and ignores the database number, so two deployments that
 * share a server on different databases would otherwise each receive the other's updates; the
 * channel of database 0 keeps its original name.
 */
export function updatesChannel(db: number | undefined): string {
  return !db ? 'metrics:updates' : `metrics:updates:${db}`;
}
