import type { Consumer, Kafka } from 'kafkajs';

/**
 * A consumer group member that reads only committed records (read_committed: the processor's
 * aborted transactions never reach it) and never creates topics by reading them. The session and
 * heartbeat suit a store or evaluator whose batches take well under a second; `maxWaitMs` is how
 * long a fetch waits for data, the floor of the reader's latency on a quiet topic.
 */
export function committedConsumer(kafka: Kafka, groupId: string, maxWaitMs: number): Consumer {
  return kafka.consumer({
    groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    sessionTimeout: 30_000,
    heartbeatInterval: 3_000,
    maxWaitTimeInMs: maxWaitMs,
  });
}
