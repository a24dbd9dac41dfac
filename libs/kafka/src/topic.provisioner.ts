import type { Kafka } from 'kafkajs';
import type { TopicSpec } from '@streammetrics/contracts';
import { waitForPartitionsServed } from './partitions.served';

export interface ProvisionResult {
  created: string[];
  existing: string[];
}

/**
 * Creates the topics that are missing, with their partitions and configs; leaves existing ones.
 * Idempotent: two replicas starting at once both succeed (TOPIC_ALREADY_EXISTS is not an error).
 */
export async function provisionTopics(
  kafka: Kafka,
  specs: TopicSpec[],
  replicationFactor: number,
): Promise<ProvisionResult> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const present = new Set(await admin.listTopics());
    const missing = specs.filter((s) => !present.has(s.topic));
    if (missing.length > 0) {
      await admin.createTopics({
        waitForLeaders: true,
        topics: missing.map((s) => ({
          topic: s.topic,
          numPartitions: s.partitions,
          replicationFactor,
          configEntries: Object.entries({
            ...s.config,
            ...(replicationFactor > 1 ? { 'min.insync.replicas': String(replicationFactor - 1) } : {}),
          }).map(([name, value]) => ({ name, value })),
        })),
      });
      await waitForPartitionsServed(
        admin,
        missing.map((s) => s.topic),
        30_000,
      );
    }
    return {
      created: missing.map((s) => s.topic),
      existing: specs.filter((s) => present.has(s.topic)).map((s) => s.topic),
    };
  } finally {
    await admin.disconnect();
  }
}
