import type { AggregateRecord } from './api.types';
import { STATS, statsOf } from './stats';
import { canonicalTags } from './tags';
import { WINDOW_SPECS } from './windows';

export const EMIT_HEADER = 'emit';

const STORED_ORDER_PREFIX = '{"final":';
const DIGEST_KEY = ',"digest":"';

/**
 * Whether a record's text is in aggregateJson's field order, as far as a store that keeps the text
 * relies on it: it starts with `final` (the version the Redis script reads) and carries the digest
 * as a `,"digest":"` field (cut out of pub/sub updates). Anything else is encoded again.
 */
export function isStoredOrder(text: string): boolean {
  return text.startsWith(STORED_ORDER_PREFIX) && text.lastIndexOf(DIGEST_KEY) > 0;
}

/**
 * The JSON of an aggregate record in its stored field order: `final`, `streamTime` and `window`
 * first, then identity, canonical tags, the statistics, the digest and `emittedAt`. The field set is
 * the record's usual one, so any JSON reader decodes it; the order is what lets the sink keep the
 * bytes it consumed as the Redis member (the write script reads the version with one anchored
 * pattern and cuts the digest out of the pub/sub update with one string search), and write the
 * same bytes again on a replay, instead of decoding and re-encoding every record.
 */
export function aggregateJson(r: AggregateRecord): string {
  return JSON.stringify({
    final: r.final,
    streamTime: r.streamTime,
    window: { type: r.window.type, size: r.window.size, start: r.window.start, end: r.window.end },
    serviceId: r.serviceId,
    metricName: r.metricName,
    tags: canonicalTags(r.tags),
    ...statsOf(r),
    digest: r.digest,
    emittedAt: r.emittedAt,
  });
}

export function encodeAggregate(record: AggregateRecord): Buffer {
  return Buffer.from(aggregateJson(record));
}

const NUMERIC_FIELDS = [...STATS, 'streamTime', 'emittedAt'];

/** Decodes and checks the shape of an aggregate record; throws a descriptive error otherwise. */
export function decodeAggregate(bytes: Buffer | null): AggregateRecord {
  if (!bytes || bytes.length === 0) throw new Error('aggregate record: empty value');
  return decodeAggregateText(bytes.toString('utf8'));
}

/** decodeAggregate for a caller that keeps the text (the sink stores it as it is). */
export function decodeAggregateText(text: string): AggregateRecord {
  if (text.length === 0) throw new Error('aggregate record: empty value');
  const r = JSON.parse(text) as AggregateRecord;
  const problems: string[] = [];
  if (typeof r !== 'object' || r === null) throw new Error('aggregate record: not an object');
  if (typeof r.serviceId !== 'string' || r.serviceId === '') problems.push('serviceId');
  if (typeof r.metricName !== 'string' || r.metricName === '') problems.push('metricName');
  if (typeof r.tags !== 'object' || r.tags === null || Array.isArray(r.tags)) problems.push('tags');
  const w = r.window;
  if (
    typeof w !== 'object' ||
    w === null ||
    (w.type !== 'tumbling' && w.type !== 'hopping') ||
    !WINDOW_SPECS.some((spec) => spec.type === w.type && spec.size === w.size) ||
    !Number.isInteger(w.start) ||
    !Number.isInteger(w.end) ||
    w.end <= w.start
  ) {
    problems.push('window');
  }
  for (const f of NUMERIC_FIELDS) {
    const v = (r as unknown as Record<string, unknown>)[f];
    if (typeof v !== 'number' || Number.isNaN(v)) problems.push(f);
  }
  if (typeof r.digest !== 'string') problems.push('digest');
  if (typeof r.final !== 'boolean') problems.push('final');
  if (problems.length > 0) throw new Error(`aggregate record: invalid ${problems.join(', ')}`);
  return r;
}
