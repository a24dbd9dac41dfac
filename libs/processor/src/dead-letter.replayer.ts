import { randomUUID } from 'node:crypto';
import { CompressionTypes, type Kafka, type Message } from 'kafkajs';
import { DLQ_HEADERS } from '@streammetrics/contracts';

export interface ReplayOptions {
  deadLetterTopic: string;
  targetTopic: string;
  /** Only these reasons (all when empty). */
  reasons: string[];
  /** Dead-lettered at or after this epoch ms. */
  from?: number;
  /** Dead-lettered before this epoch ms. */
  to?: number;
  dryRun: boolean;
  /** Codec of the replayed batches (default none). */
  compression?: CompressionTypes;
}

export interface ReplayResult {
  scanned: number;
  replayed: number;
  byReason: Record<string, number>;
}

const header = (m: { headers?: Record<string, unknown> }, name: string): string | undefined => {
  const v = m.headers?.[name];
  return v === undefined ? undefined : String(Array.isArray(v) ? v[0] : v);
};

/**
 * Re-publishes selected dead letters (original key and value) to the input topic. Reads the
 * dead-letter topic read_committed up to the end offsets seen at the start, so records that
 * arrive meanwhile (e.g. replayed events that are late again) are not replayed in a loop. Those are
 * the stable ends (read_committed ListOffsets): a transaction whose commit markers are still being
 * written at that moment is left for the next run.
 */
export async function replayDeadLetters(kafka: Kafka, o: ReplayOptions): Promise<ReplayResult> {
  const admin = kafka.admin();
  await admin.connect();
  const ends = await admin.fetchTopicOffsets(o.deadLetterTopic);
  await admin.disconnect();
  const pending = new Map(
    ends.filter((e) => e.high !== e.low).map((e) => [e.partition, BigInt(e.high) - 1n]),
  );
  const result: ReplayResult = { scanned: 0, replayed: 0, byReason: {} };
  if (pending.size === 0) return result;

  const producer = kafka.producer({
    idempotent: true,
    maxInFlightRequests: 1,
    allowAutoTopicCreation: false,
  });
  const consumer = kafka.consumer({ groupId: `dlq-replay-${randomUUID()}`, readUncommitted: false });
  await Promise.all([producer.connect(), consumer.connect()]);
  try {
    await consumer.subscribe({ topic: o.deadLetterTopic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      // An undecodable batch stops the consumer for good: fail the replay naming where, never hang.
      consumer.on(consumer.events.CRASH, (e) => {
        if (!e.payload.restart) reject(e.payload.error);
      });
      // Batches made only of transaction markers never reach eachBatch; this event still reports them.
      consumer.on(consumer.events.END_BATCH_PROCESS, (e) => {
        const last = pending.get(e.payload.partition);
        if (last !== undefined && BigInt(e.payload.lastOffset) >= last) pending.delete(e.payload.partition);
        if (pending.size === 0) resolve();
      });
      consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            const out: Message[] = [];
            for (const m of batch.messages) {
              if (BigInt(m.offset) > (pending.get(batch.partition) ?? -1n)) continue;
              result.scanned++;
              const reason = header(m, DLQ_HEADERS.reason) ?? 'UNKNOWN';
              const at = Number(header(m, DLQ_HEADERS.time) ?? '0');
              if (o.reasons.length > 0 && !o.reasons.includes(reason)) continue;
              if ((o.from !== undefined && at < o.from) || (o.to !== undefined && at >= o.to)) continue;
              result.byReason[reason] = (result.byReason[reason] ?? 0) + 1;
              result.replayed++;
              out.push({
                key: m.key,
                value: m.value,
                headers: { 'replayed-from': `${o.deadLetterTopic}/${batch.partition}/${m.offset}` },
              });
            }
            if (out.length > 0 && !o.dryRun)
              await producer.send({
                topic: o.targetTopic,
                acks: -1,
                messages: out,
                compression: o.compression ?? CompressionTypes.None,
              });
          },
        })
        .catch(reject);
    });
  } finally {
    await Promise.all([consumer.disconnect(), producer.disconnect()]);
  }
  return result;
}
