import type { LoadtestSummary } from '../../scripts/loadtest/loadtest.stats';

/**
 * A pipeline that keeps up ends a phase with at most the work of its last emit interval and
 * commit in hand: once the load stops, both lags reach 0 within a few seconds. More than this
 * means a backlog had built up, and latencies measured on it say how long the queue was.
 */
export const CATCH_UP_SEC = 5;

export interface PhaseOutcome {
  rate: number;
  load: LoadtestSummary;
  /** Seconds after the load until the processor's and the sink's lags were 0; undefined: not in the drain. */
  caughtUpSec: number | undefined;
  drainSec: number;
  endLag: { processor: number; sink: number };
  probes: number;
  reached: number;
}

/**
 * Why a rate was not sustained (empty: it was). It was if the gateway acknowledged at least 95 %
 * of the offered events with at most 0.1 % failed requests, the processor and the sink caught up
 * within CATCH_UP_SEC of the load's end, and at least 99 % of the probes reached the WebSocket.
 */
export function saturationProblems(o: PhaseOutcome): string[] {
  const { load } = o;
  const failed =
    Object.entries(load.byStatus)
      .filter(([status]) => !status.startsWith('2'))
      .reduce((n, [, count]) => n + count, 0) +
    load.errors +
    load.timeouts;
  const problems: string[] = [];
  if (load.eventsPerSec < 0.95 * o.rate)
    problems.push(`gateway acknowledged ${Math.round(load.eventsPerSec)} of ${o.rate} events/s offered`);
  if (failed > 0.001 * load.requests) problems.push(`${failed} of ${load.requests} requests failed`);
  if (o.caughtUpSec === undefined || o.caughtUpSec > CATCH_UP_SEC)
    problems.push(
      `processor and sink ${o.caughtUpSec === undefined ? `still behind ${o.drainSec} s` : `took ${o.caughtUpSec.toFixed(1)} s`} after the load to catch up (lag at its end: processor ${o.endLag.processor} events, sink ${o.endLag.sink} aggregates)`,
    );
  if (o.probes === 0) problems.push('no probe was acknowledged');
  else if (o.reached < 0.99 * o.probes)
    problems.push(`${o.probes - o.reached} of ${o.probes} probes never reached the WebSocket`);
  return problems;
}
