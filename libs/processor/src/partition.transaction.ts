import type { CompressionTypes, TopicMessages } from 'kafkajs';
import type { TransactionPort } from './eos.ports';
import { chunks } from './transaction.messages';

/** Upper bound of one produce call inside a transaction, below the broker's 1 MiB batch limit. */
export const MAX_SEND_BYTES = 512 * 1024;

export interface TransactionContent {
  messages: readonly TopicMessages[];
  /** The consumer group's next input offset, committed with the messages (sendOffsets). */
  offset?: { groupId: string; topic: string; partition: number; next: string };
  compression?: CompressionTypes;
}

/**
 * Writes `content` in one transaction and commits it: all or nothing. On any failure the
 * transaction is aborted and the error rethrown, so the caller can rebuild from what Kafka holds.
 */
export async function commitTransaction(txn: TransactionPort, content: TransactionContent): Promise<void> {
  try {
    for (const chunk of chunks(content.messages, MAX_SEND_BYTES)) {
      await txn.sendBatch({ topicMessages: chunk, acks: -1, compression: content.compression });
    }
    const o = content.offset;
    if (o) {
      await txn.sendOffsets({
        consumerGroupId: o.groupId,
        topics: [{ topic: o.topic, partitions: [{ partition: o.partition, offset: o.next }] }],
      });
    }
    await txn.commit();
  } catch (err) {
    await txn.abort().catch(() => undefined);
    throw err;
  }
}
