import type { MetricEvent } from '@streammetrics/contracts';
import type { FleetGenerator } from './fleet.generator';
import type { EventSink } from './fleet.sink';
import { setTimeout as sleep } from 'node:timers/promises';

export interface SimulationPlan {
  /** Events per second: the send rate in live mode, the event-time density in backfill mode. */
  rate: number;
  /** Stop after this much wall time (live) or event time (backfill); undefined = until aborted. */
  durationMs?: number;
  /** Stop after this many events; undefined = until duration or abort. */
  count?: number;
  /**
   * Backfill: stamp events on a simulated clock starting here (epoch ms), spaced 1/rate apart, and
   * send as fast as the sink takes them. Undefined = live: current-time stamps at `rate`.
   */
  startTime?: number;
  batchSize: number;
  progressIntervalMs: number;
}

export interface SimulationStats {
  sent: number;
  errors: number;
  elapsedMs: number;
  achievedRate: number;
}

/**
 * Called with each batch just before it is handed to the sink (so a consumer of the outputs can
 * never see an event before its produce time is known).
 */
export type BatchListener = (events: readonly MetricEvent[], handedAt: number) => void;

export interface SimulatorDeps {
  now?: () => number;
  log?: (line: string) => void;
  onBatch?: BatchListener;
}

/**
 * Drives a generator into a sink at a target rate. One batch is in flight while the next is
 * generated; a failed batch is counted in `errors` and the run goes on (a fleet does not stop
 * because the platform hiccups). Abort the signal to stop: the in-flight batch is awaited first.
 */
export class FleetSimulator {
  private readonly now: () => number;
  private readonly log: (line: string) => void;

  constructor(
    private readonly generator: FleetGenerator,
    private readonly sink: EventSink,
    private readonly deps: SimulatorDeps = {},
  ) {
    this.now = deps.now ?? Date.now;
    this.log = deps.log ?? ((line) => process.stdout.write(line + '\n'));
  }

  async run(plan: SimulationPlan, signal?: AbortSignal): Promise<SimulationStats> {
    if (!(plan.rate > 0)) throw new RangeError(`rate must be > 0, got ${plan.rate}`);
    const backfill = plan.startTime !== undefined;
    const started = this.now();
    const limit = plan.count ?? Infinity;
    const eventSpacing = 1000 / plan.rate;
    const timeLimit = plan.durationMs ?? Infinity;
    let sent = 0;
    let errors = 0;
    let generated = 0;
    let inFlight: Promise<void> | undefined;
    let lastProgress = started;
    let lastProgressSent = 0;

    const progress = (final: boolean) => {
      const t = this.now();
      const windowRate = ((sent - lastProgressSent) * 1000) / Math.max(1, t - lastProgress);
      const overall = (sent * 1000) / Math.max(1, t - started);
      this.log(
        `[fleet] ${final ? 'done' : 'progress'}: rate ${Math.round(final ? overall : windowRate)} ev/s` +
          ` (target ${backfill ? 'max' : plan.rate}) sent ${sent} errors ${errors}`,
      );
      lastProgress = t;
      lastProgressSent = sent;
    };

    while (!signal?.aborted && generated < limit) {
      const t = this.now();
      const elapsed = t - started;
      if (!backfill && elapsed >= timeLimit) break;
      let due: number;
      if (backfill) {
        const eventTimeLeft = Math.max(0, Math.ceil((timeLimit - generated * eventSpacing) / eventSpacing));
        due = Math.min(plan.batchSize, limit - generated, eventTimeLeft);
        if (due <= 0) break;
      } else {
        due = Math.min(
          plan.batchSize,
          limit - generated,
          Math.floor((elapsed * plan.rate) / 1000) - generated,
        );
      }
      if (due <= 0) {
        // Ahead of schedule: wait roughly until the next event is due (never a busy loop).
        await sleep(Math.max(1, Math.min(50, eventSpacing)));
        continue;
      }
      const batch: MetricEvent[] = new Array(due);
      for (let i = 0; i < due; i++) {
        const ts = backfill ? (plan.startTime as number) + (generated + i) * eventSpacing : t;
        batch[i] = this.generator.next(ts);
      }
      generated += due;
      if (inFlight) await inFlight;
      this.deps.onBatch?.(batch, this.now());
      inFlight = this.sink.send(batch).then(
        () => {
          sent += batch.length;
        },
        (err: Error) => {
          errors += batch.length;
          if (errors === batch.length || errors % 10_000 < batch.length) {
            this.log(`[fleet] send failed (${batch.length} events): ${err.message}`);
          }
        },
      );
      if (this.now() - lastProgress >= plan.progressIntervalMs) progress(false);
    }
    if (inFlight) await inFlight;
    progress(true);
    const elapsedMs = this.now() - started;
    return { sent, errors, elapsedMs, achievedRate: (sent * 1000) / Math.max(1, elapsedMs) };
  }
}
