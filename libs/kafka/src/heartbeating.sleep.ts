import { setTimeout as sleep } from 'node:timers/promises';
import type { EachBatchPayload } from 'kafkajs';

/**
 * Waits `ms` inside a batch handler in short steps, heartbeating, so a long store outage does not
 * cost the partition assignment; returns early when the consumer stops or the batch goes stale.
 */
export async function heartbeatingSleep(
  ms: number,
  p: Pick<EachBatchPayload, 'isRunning' | 'isStale' | 'heartbeat'>,
): Promise<void> {
  const until = Date.now() + ms;
  while (p.isRunning() && !p.isStale()) {
    const left = until - Date.now();
    if (left <= 0) return;
    await sleep(Math.min(left, 1_000));
    await p.heartbeat();
  }
}
