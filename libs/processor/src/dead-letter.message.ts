import { DLQ_HEADERS, type DeadLetterReason } from '@streammetrics/contracts';
import type { Message } from 'kafkajs';

export interface SourceRecord {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

/** A dead letter keeps the original key and value byte for byte; why and where go in headers. */
export function deadLetterMessage(
  source: SourceRecord,
  reason: DeadLetterReason,
  error: string,
  now: number,
): Message {
  return {
    key: source.key,
    value: source.value,
    headers: {
      [DLQ_HEADERS.reason]: reason,
      [DLQ_HEADERS.error]: error.slice(0, 1000),
      [DLQ_HEADERS.sourceTopic]: source.topic,
      [DLQ_HEADERS.sourcePartition]: String(source.partition),
      [DLQ_HEADERS.sourceOffset]: source.offset,
      [DLQ_HEADERS.time]: String(now),
    },
  };
}
