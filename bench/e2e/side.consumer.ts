import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * A reader next to the pipeline, configured as the sink's consumers are (read_committed, no topic
 * creation, 250 ms fetch wait): a record counts once its transaction committed. Resolves once the
 * consumer joined its group, so nothing sent afterwards is missed.
 */
export async function startSideConsumer(
  kafka: Kafka,
  opts: { groupId: string; topic: string; fromBeginning: boolean },
  eachBatch: (batch: EachBatchPayload['batch'], at: number) => void,
): Promise<Consumer> {
  const consumer = kafka.consumer({
    groupId: opts.groupId,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
  });
  await consumer.connect();
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.subscribe({ topic: opts.topic, fromBeginning: opts.fromBeginning });
  await consumer.run({ eachBatch: async ({ batch }) => eachBatch(batch, Date.now()) });
  for (let i = 0; i < 150 && !joined; i++) await sleep(100);
  if (!joined) {
    await consumer.disconnect();
    throw new Error(`side consumer of ${opts.topic} did not join its group`);
  }
  return consumer;
}
