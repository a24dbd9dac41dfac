import { createKafka, provisionTopics } from '@streammetrics/kafka';
import { sleep } from './net.util';

/** As in writeBrokerConfig: offsets.topic.num.partitions and transaction.state.log.num.partitions. */
const INTERNAL_PARTITIONS = 10;
const WARMUP_TOPIC = 'streammetrics-stack-warmup';

/** java.lang.String#hashCode, which Kafka uses to place a group or transactional id. */
function javaHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs(hash) % partitions: the __consumer_offsets / __transaction_state partition. */
export function coordinatorPartition(id: string, partitions = INTERNAL_PARTITIONS): number {
  const h = javaHash(id);
  return (h === -2147483648 ? 0 : Math.abs(h)) % partitions;
}

/** One id per internal partition, found by counting up; deterministic. */
export function idsCoveringPartitions(prefix: string, partitions = INTERNAL_PARTITIONS): string[] {
  const byPartition = new Map<number, string>();
  for (let k = 0; byPartition.size < partitions; k++) {
    const id = `${prefix}-${k}`;
    const p = coordinatorPartition(id, partitions);
    if (!byPartition.has(p)) byPartition.set(p, id);
  }
  return [...byPartition.values()];
}

/**
 * A fresh broker creates __consumer_offsets and __transaction_state on first use, and each of their
 * partitions answers NOT_COORDINATOR until its coordinator has loaded — a first transaction with
 * sendOffsets failed that way in CI. Before `up` reports ready, one transaction with sendOffsets
 * runs for an id on every partition of both topics, each retried until it commits.
 */
export async function warmUpCoordinators(brokers: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  const kafka = createKafka({ brokers, clientId: 'stack-warmup', retries: 2 });
  await provisionTopics(
    kafka,
    [{ topic: WARMUP_TOPIC, partitions: 1, config: { 'retention.ms': '3600000' } }],
    1,
  );
  for (const id of idsCoveringPartitions('streammetrics-stack-warmup')) {
    for (;;) {
      const producer = kafka.producer({ transactionalId: id, idempotent: true, maxInFlightRequests: 1 });
      try {
        await producer.connect();
        const txn = await producer.transaction();
        await txn.send({ topic: WARMUP_TOPIC, messages: [{ value: 'warm-up' }] });
        await txn.sendOffsets({
          consumerGroupId: id,
          topics: [{ topic: WARMUP_TOPIC, partitions: [{ partition: 0, offset: '0' }] }],
        });
        await txn.commit();
        break;
      } catch (err) {
        if (Date.now() > deadline) {
          throw new Error(`transaction coordinators not ready within ${timeoutMs} ms: ${String(err)}`);
        }
        await sleep(250);
      } finally {
        await producer.disconnect().catch(() => undefined);
      }
    }
  }
}
