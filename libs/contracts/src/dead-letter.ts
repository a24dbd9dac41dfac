/** Why a record went to `metrics-dead-letter` (header `reason`). */
export const DEAD_LETTER_REASONS = [
  'UNDECODABLE',
  'SCHEMA_VIOLATION',
  // A Confluent-framed value whose schema id the registry does not hold, or holds in a form the
  // processor does not read (Protobuf).
  'UNKNOWN_SCHEMA',
  'LATE_EVENT',
  'CARDINALITY_OVERFLOW',
  'UNWRITABLE_AGGREGATE',
] as const;
export type DeadLetterReason = (typeof DEAD_LETTER_REASONS)[number];

/** Header names on a dead letter; the key and value are the original record's, byte for byte. */
export const DLQ_HEADERS = {
  reason: 'reason',
  error: 'error',
  sourceTopic: 'source.topic',
  sourcePartition: 'source.partition',
  sourceOffset: 'source.offset',
  time: 'dead-lettered.at',
} as const;

export function isDeadLetterReason(value: string): value is DeadLetterReason {
  return (DEAD_LETTER_REASONS as readonly string[]).includes(value);
}
