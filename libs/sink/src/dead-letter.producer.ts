import { CompressionTypes, type IHeaders, type Kafka, type Producer } from 'kafkajs';
import { DLQ_HEADERS, type DeadLetterReason } from '@streammetrics/contracts';
import type { SourceMessage } from './aggregate.batch';
import { StoreUnavailableError } from './store.errors';

export interface DeadLetter {
  source: SourceMessage;
  reason: DeadLetterReason;
  error: string;
}

/**
 * Sends records the stores can never take to the dead-letter topic: original key and value byte
 * for byte, the reason and origin in headers (contracts dead-letter.ts). The producer is
 * idempotent but not transactional: a crash between this send and the offset commit sends the
 * dead letter again on replay — at least once, which suits an error queue.
 */
export class DeadLetterProducer {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly topic: string,
    private readonly now: () => number,
    private readonly compression = CompressionTypes.None,
  ) {
    this.producer = kafka.producer({ idempotent: true, allowAutoTopicCreation: false });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  async send(letters: readonly DeadLetter[]): Promise<void> {
    if (letters.length === 0) return;
    const time = String(this.now());
    try {
      await this.producer.send({
        topic: this.topic,
        acks: -1,
        compression: this.compression,
        messages: letters.map((l) => {
          const headers: IHeaders = { ...(l.source.message.headers ?? {}) };
          headers[DLQ_HEADERS.reason] = l.reason;
          headers[DLQ_HEADERS.error] = l.error.slice(0, 1000);
          headers[DLQ_HEADERS.sourceTopic] = l.source.topic;
          headers[DLQ_HEADERS.sourcePartition] = String(l.source.partition);
          headers[DLQ_HEADERS.sourceOffset] = l.source.message.offset;
          headers[DLQ_HEADERS.time] = time;
          return { key: l.source.message.key, value: l.source.message.value, headers };
        }),
      });
    } catch (err) {
      throw new StoreUnavailableError('kafka', err);
    }
  }
}
