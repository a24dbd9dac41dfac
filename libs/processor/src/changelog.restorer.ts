import { randomUUID } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import type { ChangelogEntry } from '@streammetrics/windowing';

/** Key of the marker record that ends a restore; never a windowing key (those start with "s|" or "meta"). */
export const BARRIER_KEY = '__barrier__';

export interface RestoreTarget {
  partition: number;
  /** Value of the barrier record committed to this changelog partition just before the restore. */
  barrier: string;
}

/**
 * Reads the compacted changelog of the given partitions up to their barrier records and returns
 * the latest value per key (tombstones removed).
 *
 * Why a barrier instead of "read to the end offset": with read_committed the consumer stops at the
 * last stable offset and skips transaction markers, so the last offset of a partition is often a
 * control record the consumer never sees. The owner of a partition first commits a barrier record
 * through its freshly initialised transactional producer (which also aborted any transaction a
 * zombie left open); once the barrier is read, everything committed before it has been read too.
 *
 * kafkajs has no manual assignment, so this uses a throwaway consumer group and pauses the
 * partitions it does not need.
 */
export async function restoreChangelog(
  kafka: Kafka,
  topic: string,
  targets: RestoreTarget[],
  timeoutMs: number,
): Promise<Map<number, ChangelogEntry[]>> {
  const wanted = new Map(targets.map((t) => [t.partition, t.barrier]));
  const latest = new Map<number, Map<string, Uint8Array>>(targets.map((t) => [t.partition, new Map()]));
  const remaining = new Set(wanted.keys());
  if (remaining.size === 0) return new Map();

  const consumer = kafka.consumer({
    groupId: `restore-${randomUUID()}`,
    readUncommitted: false,
    allowAutoTopicCreation: false,
    maxBytesPerPartition: 16 * 1024 * 1024,
    maxWaitTimeInMs: 100,
  });
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`changelog restore of ${topic} ${[...remaining].join(',')} timed out`)),
        timeoutMs,
      );
      consumer
        .run({
          autoCommit: false,
          partitionsConsumedConcurrently: 8,
          eachBatch: async ({ batch }) => {
            const p = batch.partition;
            const state = latest.get(p);
            if (!state || !remaining.has(p)) {
              consumer.pause([{ topic, partitions: [p] }]);
              return;
            }
            for (const m of batch.messages) {
              const key = m.key?.toString() ?? '';
              if (key === BARRIER_KEY) {
                if (m.value?.toString() === wanted.get(p)) {
                  remaining.delete(p);
                  consumer.pause([{ topic, partitions: [p] }]);
                  break;
                }
                continue;
              }
              if (m.value === null) state.delete(key);
              else state.set(key, m.value);
            }
            if (remaining.size === 0) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect().catch(() => undefined);
  }
  const out = new Map<number, ChangelogEntry[]>();
  for (const [p, state] of latest) {
    out.set(
      p,
      [...state].map(([key, value]) => ({ key, value })),
    );
  }
  return out;
}
