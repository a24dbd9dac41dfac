import type { Kafka, KafkaMessage } from 'kafkajs';
import { createKafka, waitForPartitionsServed } from '@streammetrics/kafka';
import { testEnv } from './test-env';

export function testKafka(clientId = 'test'): Kafka {
  return createKafka({ brokers: testEnv().kafkaBrokers, clientId });
}

export async function createTopics(
  kafka: Kafka,
  topics: { topic: string; partitions?: number; config?: Record<string, string> }[],
): Promise<void> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      waitForLeaders: true,
      topics: topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.partitions ?? 1,
        replicationFactor: 1,
        configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
    await waitForPartitionsServed(
      admin,
      topics.map((t) => t.topic),
      30_000,
    );
  } finally {
    await admin.disconnect();
  }
}

export interface ReadRecord {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: Buffer | null;
  headers: Record<string, string>;
}

function toRecord(topic: string, partition: number, m: KafkaMessage): ReadRecord {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(m.headers ?? {})) {
    if (v !== undefined) headers[k] = Array.isArray(v) ? String(v[0]) : String(v);
  }
  return { topic, partition, offset: m.offset, key: m.key?.toString() ?? null, value: m.value, headers };
}

/**
 * Reads topics from the beginning with the given isolation level until `done(records)` says so or
 * the timeout passes; returns what was read. A fresh random group each call.
 */
export async function readTopics(
  kafka: Kafka,
  topics: string[],
  opts: {
    readCommitted?: boolean;
    timeoutMs?: number;
    done?: (records: ReadRecord[]) => boolean;
    /** After `done` holds, keep reading this long (to catch records that should not be there). */
    settleMs?: number;
  },
): Promise<ReadRecord[]> {
  const { uniqueName } = await import('./test-env');
  const consumer = kafka.consumer({
    groupId: uniqueName('reader'),
    readUncommitted: !(opts.readCommitted ?? true),
    allowAutoTopicCreation: false,
  });
  const records: ReadRecord[] = [];
  let settling = false;
  await consumer.connect();
  try {
    await consumer.subscribe({ topics, fromBeginning: true });
    const finished = new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, opts.timeoutMs ?? 15_000);
      void consumer.run({
        autoCommit: false,
        eachBatch: async ({ batch }) => {
          for (const m of batch.messages) records.push(toRecord(batch.topic, batch.partition, m));
          if (opts.done?.(records) && !settling) {
            settling = true;
            clearTimeout(timer);
            setTimeout(resolve, opts.settleMs ?? 0);
          }
        },
      });
    });
    await finished;
  } finally {
    await consumer.disconnect();
  }
  return records;
}
