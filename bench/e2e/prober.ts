import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ProbeSeries } from './observers';
import type { Probe } from './probe.ledger';

export interface ProberPlan {
  url: string;
  key: string;
  intervalMs: number;
  durationMs: number;
  warmupMs: number;
}

/**
 * Sends the probes of one phase: every `intervalMs` one request of `eventsPerProbe` events, each
 * stamped with the send time, to the lanes in turn. A lane is one probe series whose probes go
 * strictly one after another (what makes inclusion decidable, see ProbeLedger); with several lanes
 * a slow answer holds back only its own lane. A probe whose lane is still waiting when it is due
 * goes right after that answer, and counts as slipped.
 */
export async function runProber(lanes: ProbeSeries[], plan: ProberPlan): Promise<{ slipped: number }> {
  const t0 = Date.now();
  let slipped = 0;
  const send = async (series: ProbeSeries, due: number) => {
    const wait = due - Date.now();
    if (wait > 0) await sleep(wait);
    else if (wait < -plan.intervalMs / 2) slipped++;
    const sentAt = Date.now();
    const probe: Probe = series.ledger.add(sentAt, sentAt - t0 >= plan.warmupMs);
    const events = Array.from({ length: series.ledger.eventsPerProbe }, () => ({
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
      else series.ledger.failed(probe);
    } catch {
      series.ledger.failed(probe);
    }
  };
  const count = Math.floor(plan.durationMs / plan.intervalMs);
  await Promise.all(
    lanes.map(async (series, lane) => {
      for (let i = lane; i < count; i += lanes.length) await send(series, t0 + i * plan.intervalMs);
    }),
  );
  return { slipped };
}
