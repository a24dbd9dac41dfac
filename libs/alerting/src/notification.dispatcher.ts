import { systemClock, type Clock } from '@streammetrics/contracts';
import { backoffDelay, messageOf, type RetryPolicy } from '@streammetrics/sink';
import type { AlertingLog } from './alerting.log';
import type { AlertingMetrics } from './alerting.metrics';
import type { DueNotification, OutboxRepository } from './outbox.repository';
import { silenceMatches } from './silence.match';
import type { SilencesRepository } from './silences.repository';

export interface DispatcherOptions {
  /** Webhook request timeout; a claim lasts a little longer. */
  timeoutMs: number;
  retry: RetryPolicy;
  /** Requests in flight at most, over all receivers. */
  maxInFlight: number;
  /** How often the outbox is looked at when nobody wakes the dispatcher. */
  pollMs: number;
}

export const DEFAULT_DISPATCHER_OPTIONS: DispatcherOptions = {
  timeoutMs: 5_000,
  retry: { initialMs: 1_000, maxMs: 300_000, factor: 2, jitter: 0.2 },
  maxInFlight: 32,
  pollMs: 500,
};

const SILENCES_TTL_MS = 1_000;

/**
 * Sends the outbox: each notification POSTed to its receiver with an Idempotency-Key, retried with
 * capped exponential backoff until it is delivered. A receiver with requests in flight is not
 * given more, and a receiver whose last attempt failed is left alone for a while, so a dead or slow
 * receiver holds at most two request slots and its backlog never delays the others or the
 * evaluation (which only writes the outbox). Silences are checked at delivery time, so a
 * silence created after the transition still suppresses it.
 */
export class NotificationDispatcher {
  private running = false;
  private loop?: Promise<void>;
  private wakeUp?: () => void;
  private readonly busy = new Map<string, number>();
  /** Receivers whose last attempt failed, until when: their other rows wait too. */
  private readonly cooling = new Map<string, number>();
  private inFlight = 0;
  private silences: { at: number; list: Awaited<ReturnType<SilencesRepository['active']>> } = {
    at: 0,
    list: [],
  };

  constructor(
    private readonly outbox: OutboxRepository,
    private readonly silenceStore: SilencesRepository,
    private readonly metrics: AlertingMetrics,
    private readonly log: AlertingLog,
    private readonly opts: DispatcherOptions = DEFAULT_DISPATCHER_OPTIONS,
    private readonly clock: Clock = systemClock,
  ) {}

  start(): void {
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake();
    await this.loop;
  }

  /** New notifications were committed: look now instead of at the next poll. */
  wake(): void {
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (this.running) {
      let claimed = 0;
      try {
        const room = this.opts.maxInFlight - this.inFlight;
        if (room > 0) {
          const due = await this.outbox.claim(room, this.opts.timeoutMs + 2_000, this.unavailable());
          claimed = due.length;
          if (due.length > 0) await this.refreshSilences();
          for (const n of due) void this.deliver(n);
        }
      } catch (err) {
        this.log.warn({ err: messageOf(err) }, 'outbox unavailable; retrying');
      }
      if (claimed === 0 || this.inFlight >= this.opts.maxInFlight) await this.sleep(this.opts.pollMs);
    }
  }

  private async deliver(n: DueNotification): Promise<void> {
    this.inFlight++;
    this.busy.set(n.receiver, (this.busy.get(n.receiver) ?? 0) + 1);
    try {
      if (this.silences.list.some((s) => silenceMatches(s.matchers, n.labels))) {
        await this.outbox.silenced(n.id);
        this.metrics.silenced.inc();
        return;
      }
      const error = await this.post(n);
      if (error === undefined) {
        await this.outbox.delivered(n.id);
        this.metrics.deliveryAttempts.inc({ outcome: 'delivered' });
        this.cooling.delete(n.receiver);
      } else {
        this.metrics.deliveryAttempts.inc({ outcome: 'failed' });
        const retryIn = backoffDelay(n.attempts - 1, this.opts.retry);
        this.log.warn(
          { receiver: n.receiver, attempts: n.attempts, retryInMs: retryIn, err: error },
          'webhook delivery failed; will retry',
        );
        await this.outbox.failed(n.id, error, retryIn);
        // A failing receiver is left alone for the first retry's delay, not just this row: with a
        // backlog for a dead receiver, its rows would otherwise fill every claim.
        this.cooling.set(n.receiver, this.clock.now() + backoffDelay(0, this.opts.retry));
      }
    } catch (err) {
      // The outcome could not be stored: the claim runs out and the row is sent again (at least once).
      this.log.warn({ err: messageOf(err) }, 'could not record a delivery outcome');
    } finally {
      this.inFlight--;
      const left = (this.busy.get(n.receiver) ?? 1) - 1;
      if (left > 0) this.busy.set(n.receiver, left);
      else this.busy.delete(n.receiver);
      this.wake();
    }
  }

  /** Receivers not to give a row now: requests in flight, or failing. */
  private unavailable(): string[] {
    const now = this.clock.now();
    for (const [r, until] of this.cooling) if (until <= now) this.cooling.delete(r);
    return [...new Set([...this.busy.keys(), ...this.cooling.keys()])];
  }

  /** undefined when the receiver took it (2xx), otherwise why not. */
  private async post(n: DueNotification): Promise<string | undefined> {
    const t0 = performance.now();
    try {
      const res = await fetch(n.receiver, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'idempotency-key': n.idempotencyKey },
        body: JSON.stringify(n.body),
        signal: AbortSignal.timeout(this.opts.timeoutMs),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? undefined : `HTTP ${res.status}`;
    } catch (err) {
      const cause = (err as { cause?: unknown }).cause;
      return cause ? `${messageOf(err)}: ${messageOf(cause)}` : messageOf(err);
    } finally {
      this.metrics.deliverySeconds.observe((performance.now() - t0) / 1000);
    }
  }

  private async refreshSilences(): Promise<void> {
    if (this.clock.now() - this.silences.at < SILENCES_TTL_MS) return;
    this.silences = { at: this.clock.now(), list: await this.silenceStore.active() };
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
