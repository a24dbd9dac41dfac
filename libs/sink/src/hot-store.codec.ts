import { statsOf, type AggregateRecord } from '@streammetrics/contracts';

/**
 * The JSON AggregateRecord the sink stores in Redis (hot-store.format.ts), with a fixed field order
 * that starts with `final`, `streamTime` and `window`. Readers parse it as any JSON; the write
 * script reads the version of the stored member with one anchored pattern instead of decoding the
 * whole record and its digest on every write. The fixed order also makes replays byte-identical.
 */
export function encodeHotRecord(r: AggregateRecord): string {
  return JSON.stringify({
    final: r.final,
    streamTime: r.streamTime,
    window: { type: r.window.type, size: r.window.size, start: r.window.start, end: r.window.end },
    serviceId: r.serviceId,
    metricName: r.metricName,
    tags: r.tags,
    ...statsOf(r),
    digest: r.digest,
    emittedAt: r.emittedAt,
  });
}
