import { randomUUID } from 'node:crypto';
import { sleep } from '../harness/bench.kafka';
import type { ProbeSeries } from './observers';

export interface ProberPlan {
  url: string;
  key: string;
  intervalMs: number;
  durationMs: number;
  warmupMs: number;
}

/**
 * Sends the probes of one phase: every `intervalMs` one request of `ledger.eventsPerProbe` events
 * of the probe series, each stamped with the send time. Strictly one at a time (see ProbeLedger):
 * when an answer takes longer than the interval the next probe goes right after it, and the slip
 * is counted. Returns how many probes slipped.
 */
export async function runProber(series: ProbeSeries, plan: ProberPlan): Promise<{ slipped: number }> {
  const { ledger } = series;
  const t0 = Date.now();
  let slipped = 0;
  for (let i = 0; ; i++) {
    const due = t0 + i * plan.intervalMs;
    if (due >= t0 + plan.durationMs) break;
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    else if (wait < -plan.intervalMs / 2) slipped++;
    const sentAt = Date.now();
    const probe = ledger.add(sentAt, sentAt - t0 >= plan.warmupMs);
    const events = Array.from({ length: ledger.eventsPerProbe }, () => ({
      eventId: randomUUID(),
      timestamp: sentAt,
      serviceId: series.service,
      metricName: series.metric,
      metricType: 'HTTP_REQUEST',
      value: 100,
      unit: 'milliseconds',
    }));
    try {
      const res = await fetch(plan.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${plan.key}` },
        body: JSON.stringify(events),
        signal: AbortSignal.timeout(15_000),
      });
      await res.arrayBuffer();
      if (res.ok) probe.ackAt = Date.now();
      else ledger.failed(probe);
    } catch {
      ledger.failed(probe);
    }
  }
  return { slipped };
}
