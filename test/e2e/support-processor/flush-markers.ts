import type { GeneratedRecord } from './event-generator';

/** The metric of the flush markers, left out when results are compared. */
export const FLUSH_METRIC = 'flush.marker';

/** One record per partition far ahead in event time, so every window of the stream closes. */
export function flushMarkers(records: GeneratedRecord[]): GeneratedRecord[] {
  const latest = records.reduce((m, r) => Math.max(m, r.event?.timestamp ?? -Infinity), -Infinity);
  const keys = new Map<number, string>();
  for (const r of records) if (!keys.has(r.partition)) keys.set(r.partition, r.key);
  return [...keys].map(([partition, serviceId], i) => {
    const event = {
      eventId: `flush-${partition}`,
      timestamp: latest + 20 * 60_000 + i,
      serviceId,
      metricName: FLUSH_METRIC,
      value: 0,
      tags: {},
    };
    return { partition, key: serviceId, kind: 'valid', value: Buffer.from(JSON.stringify(event)), event };
  });
}
