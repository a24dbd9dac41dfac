import type { KafkaMessage } from 'kafkajs';
import { DLQ_HEADERS, type DeadLetterSummary } from '@streammetrics/contracts';
import type { HotStoreRepository } from './hot-store.repository';
import type { BatchOutcome } from './store.consumer';

function header(m: KafkaMessage, name: string): string | undefined {
  const v = m.headers?.[name];
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v[0] : v)?.toString();
}

/** Header `dead-lettered.at` as epoch ms; accepts an ISO-8601 string too; else the record timestamp. */
function timeOf(m: KafkaMessage): number {
  const raw = header(m, DLQ_HEADERS.time);
  if (raw !== undefined) {
    const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
    if (Number.isFinite(n)) return n;
  }
  return Number(m.timestamp);
}

export function summarizeDeadLetter(topic: string, partition: number, m: KafkaMessage): DeadLetterSummary {
  return {
    reason: header(m, DLQ_HEADERS.reason) ?? 'UNKNOWN',
    error: header(m, DLQ_HEADERS.error) ?? '',
    sourceTopic: header(m, DLQ_HEADERS.sourceTopic) ?? topic,
    sourcePartition: Number(header(m, DLQ_HEADERS.sourcePartition) ?? partition),
    sourceOffset: header(m, DLQ_HEADERS.sourceOffset) ?? m.offset,
    time: timeOf(m),
    key: m.key?.toString('utf8') ?? null,
    valuePreview: (m.value?.toString('utf8') ?? '').slice(0, 300),
  };
}

/** Feeds the dashboard's dead-letter panel from `metrics-dead-letter` (group streammetrics-sink-deadletters). */
export class DeadLetterRecorder {
  constructor(private readonly hot: HotStoreRepository) {}

  readonly handle = async (
    topic: string,
    partition: number,
    messages: KafkaMessage[],
  ): Promise<BatchOutcome> => {
    await this.hot.recordDeadLetters(messages.map((m) => summarizeDeadLetter(topic, partition, m)));
    return { applied: messages.length, written: messages.length };
  };
}
