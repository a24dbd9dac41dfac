import type { Admin } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Waits until the broker serves every partition of the given topics. Metadata names a leader a
 * moment before that leader's replica manager has loaded the log (right after CreateTopics, and
 * after a broker restart), and a client asking in that gap gets NOT_LEADER_OR_FOLLOWER or
 * UNKNOWN_TOPIC_OR_PARTITION; a ListOffsets answer on every partition closes the gap.
 */
export async function waitForPartitionsServed(
  admin: Admin,
  topics: string[],
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      await Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic)));
      return;
    } catch (err) {
      if (Date.now() >= deadline) {
        throw new Error(
          `partitions of ${topics.length} topic(s) not served within ${timeoutMs} ms: ${String(err)}`,
        );
      }
      await sleep(200);
    }
  }
}
