import type { Kafka } from 'kafkajs';
import { CachedDefaultPartitioner } from '@streammetrics/kafka';
import { restoreChangelog } from './changelog.restorer';
import type { ChangelogRestorer, ProducerFactory } from './eos.ports';
import type { ProcessorOptions } from './processor.options';

const RESTORE_TIMEOUT_MS = 120_000;

/** The transactional producers of the input partitions, on kafkajs. */
export function kafkaProducers(kafka: Kafka, opts: ProcessorOptions): ProducerFactory {
  return (transactionalId) =>
    kafka.producer({
      transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: opts.transactionTimeoutMs,
      allowAutoTopicCreation: false,
      createPartitioner: CachedDefaultPartitioner,
      // A failed transaction is aborted and rebuilt, so retrying inside it is only about riding
      // out broker hiccups; kafkajs warns unless idempotent producers retry without limit.
      // Retries start at 10 ms and grow by half, not from 100 ms doubling: the common retry is
      // AddPartitionsToTxn answered CONCURRENT_TRANSACTIONS while the broker still writes the
      // previous commit's markers, which takes milliseconds to tens of them; at 100 ms (then 200)
      // each such retry put a tenth of a second or more on the output latency (the Java producer
      // retries that case after 20 ms for the same reason).
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 10, maxRetryTime: 2000, multiplier: 1.5 },
    });
}

/** Restores from the changelog topic with a throwaway kafkajs consumer (changelog.restorer.ts). */
export function kafkaChangelogRestorer(kafka: Kafka, changelogTopic: string): ChangelogRestorer {
  return (targets) => restoreChangelog(kafka, changelogTopic, targets, RESTORE_TIMEOUT_MS);
}
