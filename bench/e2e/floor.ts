import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startSideConsumer } from './side.consumer';

export interface FloorSamples {
  /** Produce (acks=all) → arrival at a read_committed consumer with the sink's fetch wait. */
  kafka: number[];
  /** PUBLISH → arrival at a subscriber connection. */
  redis: number[];
}

/**
 * The transport floor of the pipeline, measured in the same run and on the same loaded machine:
 * what one Kafka hop and one Redis pub/sub hop cost with no application work around them. The
 * pipeline pays two Kafka hops (events, then aggregates) and one pub/sub hop, plus the WebSocket
 * frame. Samples are taken every `intervalMs` until stopped; `record` switches sampling on.
 */
export async function startFloor(
  kafka: Kafka,
  topic: string,
  redisUrl: string,
  intervalMs: number,
): Promise<{ samples: FloorSamples; record: (on: boolean) => void; stop: () => Promise<void> }> {
  const samples: FloorSamples = { kafka: [], redis: [] };
  let recording = false;
  const producer = kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const consumer = await startSideConsumer(
    kafka,
    { groupId: `${topic}-reader`, topic, fromBeginning: false },
    (batch, at) => {
      if (recording) for (const m of batch.messages) samples.kafka.push(at - Number(m.value?.toString()));
    },
  );

  const channel = `${topic}:floor`;
  const pub = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const sub = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  sub.on('message', (_c: string, m: string) => {
    if (recording) samples.redis.push(Date.now() - Number(m));
  });
  await sub.subscribe(channel);

  let running = true;
  const loop = (async () => {
    while (running) {
      const now = String(Date.now());
      await Promise.all([
        producer.send({ topic, acks: -1, messages: [{ value: now }] }),
        pub.publish(channel, now),
      ]).catch(() => undefined);
      await sleep(intervalMs);
    }
  })();
  return {
    samples,
    record: (on) => (recording = on),
    stop: async () => {
      running = false;
      await loop;
      await Promise.all([producer.disconnect(), consumer.disconnect()]);
      pub.disconnect();
      sub.disconnect();
    },
  };
}
