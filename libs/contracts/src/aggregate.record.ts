import type { AggregateRecord } from './api.types';
import { STATS } from './stats';
import { WINDOW_SPECS } from './windows';

export const EMIT_HEADER = 'emit';

export function encodeAggregate(record: AggregateRecord): Buffer {
  return Buffer.from(JSON.stringify(record));
}

const NUMERIC_FIELDS = [...STATS, 'streamTime', 'emittedAt'];

/** Decodes and checks the shape of an aggregate record; throws a descriptive error otherwise. */
export function decodeAggregate(bytes: Buffer | null): AggregateRecord {
  if (!bytes || bytes.length === 0) throw new Error('aggregate record: empty value');
  const r = JSON.parse(bytes.toString('utf8')) as AggregateRecord;
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
