import type { Kafka } from 'kafkajs';

export interface GroupProgress {
  /** Sum over partitions of the group's committed offsets (0 where none). */
  committed: number;
  /** Sum over partitions of the high watermarks. */
  end: number;
}

/** How far a consumer group got on a topic: what benchmarks and tests wait on. */
export async function groupProgress(kafka: Kafka, groupId: string, topic: string): Promise<GroupProgress> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const [[offsets], ends] = await Promise.all([
      admin.fetchOffsets({ groupId, topics: [topic] }),
      admin.fetchTopicOffsets(topic),
    ]);
    return {
      committed: (offsets?.partitions ?? []).reduce((n, p) => n + Math.max(0, Number(p.offset)), 0),
      end: ends.reduce((n, p) => n + Number(p.high), 0),
    };
  } finally {
    await admin.disconnect();
  }
}
