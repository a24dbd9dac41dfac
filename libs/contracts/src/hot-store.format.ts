import type { AggregateRecord, HotUpdate } from './api.types';
import type { WindowId } from './windows';

/**
 * What the sink writes to Redis and the query API reads (docs/CONTRACTS.md "Storage"):
 *
 * - latestKey(svc, metric, window)            STRING  JSON AggregateRecord of the newest window of
 *                                                     the service-level rollup; TTL 3600 s.
 * - historyKey(svc, metric, window, tags)     ZSET    score = window.start, member = JSON
 *                                                     AggregateRecord (one member per window start,
 *                                                     replaced atomically when a newer version
 *                                                     arrives); trimmed to the last hour; TTL 3600 s.
 * - seriesIndexKey(svc, metric)               HASH    tagsHash -> JSON of the canonical tags; TTL 3600 s.
 * - SERVICES_KEY                              ZSET    serviceId scored by last update (ms).
 * - metricsOfServiceKey(svc)                  ZSET    metricName scored by last update (ms).
 * - updatesChannel(db)                        PUBSUB  JSON HotUpdate for every written record.
 * - DLQ_RECENT_KEY                            LIST    JSON DeadLetterSummary, newest first, capped.
 * - dlqCountsKey(minuteStart)                 HASH    reason -> count for that minute; TTL 24 h.
 */

/** Which of two versions of the same window wins: a final beats updates, then newer streamTime. */
export function isNewerVersion(candidate: AggregateRecord, current: AggregateRecord | undefined): boolean {
  if (!current) return true;
  if (candidate.final !== current.final) return candidate.final;
  return candidate.streamTime > current.streamTime;
}

export function encodeHotUpdate(window: WindowId, record: AggregateRecord): string {
  const { digest: _digest, ...rest } = record;
  const update: HotUpdate = { window, emit: record.final ? 'final' : 'update', record: rest };
  return JSON.stringify(update);
}

export function decodeHotUpdate(message: string): HotUpdate {
  const u = JSON.parse(message) as HotUpdate;
  if (typeof u !== 'object' || u === null || typeof u.window !== 'string' || typeof u.record !== 'object') {
    throw new Error('hot update: malformed message');
  }
  return u;
}

export const DLQ_RECENT_KEY = 'metrics:dlq:recent';
export const DLQ_RECENT_MAX = 200;
export const DLQ_COUNTS_TTL_SECONDS = 86_400;

export function dlqCountsKey(minuteStart: number): string {
  return `metrics:dlq:counts:${minuteStart}`;
}
