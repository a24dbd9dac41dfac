import Redis from 'ioredis';
import type { Kafka } from 'kafkajs';
import { sleep } from '../harness/bench.kafka';

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
  const consumer = kafka.consumer({
    groupId: `${topic}-reader`,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxWaitTimeInMs: 250,
  });
  await producer.connect();
  await consumer.connect();
  let joined = false;
  consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
  await consumer.subscribe({ topic, fromBeginning: false });
  await consumer.run({
    eachMessage: async ({ message }) => {
      if (recording) samples.kafka.push(Date.now() - Number(message.value?.toString()));
    },
  });
  for (let i = 0; i < 150 && !joined; i++) await sleep(100);

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
