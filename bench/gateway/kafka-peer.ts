import type { Message } from 'kafkajs';
import { createKafka } from '@streammetrics/kafka';

/**
 * The producer peer: a plain kafkajs idempotent producer (acks=all) sending the same events in
 * batches of `batch`, `inFlight` sendBatch calls at a time, for `durationSec`.
 */
export async function kafkaPeer(opts: {
  brokers: string[];
  topic: string;
  messages: (n: number) => Message[];
  batch: number;
  inFlight: number;
  durationSec: number;
}): Promise<{ eventsPerSec: number }> {
  const producer = createKafka({ brokers: opts.brokers, clientId: 'bench-kafka-peer' }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  let sent = 0;
  const end = Date.now() + opts.durationSec * 1000;
  const start = Date.now();
  const loop = async () => {
    while (Date.now() < end) {
      await producer.sendBatch({
        topicMessages: [{ topic: opts.topic, messages: opts.messages(opts.batch) }],
        acks: -1,
      });
      sent += opts.batch;
    }
  };
  await Promise.all(Array.from({ length: opts.inFlight }, loop));
  const elapsed = (Date.now() - start) / 1000;
  await producer.disconnect();
  return { eventsPerSec: sent / elapsed };
}
