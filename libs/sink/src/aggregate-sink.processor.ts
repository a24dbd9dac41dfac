import type { KafkaMessage } from 'kafkajs';
import { decodeBatch, newestPerWindow } from './aggregate.batch';
import type { DeadLetter, DeadLetterProducer } from './dead-letter.producer';
import type { SinkMetrics } from './sink.metrics';
import type { BatchOutcome } from './store.consumer';
import type { StoreWriter } from './store.writer';

/**
 * Turns one fetched batch into one store write. Only the PostgreSQL group dead-letters records
 * that cannot be decoded: both groups see them, and one dead letter per bad record is what an
 * operator expects (PostgreSQL is the store of record). A record that one store refuses on its own
 * merits is dead-lettered by that store's group, with the store named in the error header.
 */
export class AggregateSinkProcessor {
  constructor(
    private readonly writer: StoreWriter,
    private readonly deadLetters: DeadLetterProducer,
    private readonly metrics: SinkMetrics,
    private readonly opts: { deadLetterUndecodable: boolean },
  ) {}

  readonly handle = async (
    topic: string,
    partition: number,
    messages: KafkaMessage[],
  ): Promise<BatchOutcome> => {
    const store = this.writer.store;
    const { records, undecodable } = decodeBatch(topic, partition, messages, {
      verifyDigest: store === 'postgres',
    });
    const newest = newestPerWindow(records);
    const result = await this.writer.write(newest);
    const letters: DeadLetter[] = result.rejected.map((r) => ({
      source: r.record.source,
      reason: 'UNWRITABLE_AGGREGATE',
      error: r.error.message,
    }));
    if (this.opts.deadLetterUndecodable) {
      for (const u of undecodable)
        letters.push({ source: u.source, reason: 'UNWRITABLE_AGGREGATE', error: u.error });
    }
    await this.deadLetters.send(letters);
    if (letters.length > 0)
      this.metrics.deadLettered.inc({ store, reason: 'UNWRITABLE_AGGREGATE' }, letters.length);
    if (!this.opts.deadLetterUndecodable && undecodable.length > 0) {
      this.metrics.skipped.inc({ store }, undecodable.length);
    }
    return { applied: result.applied, written: newest.length };
  };
}
