import { slidingUsage, type WindowCounts } from './rate-limit.math';

export interface LocalBudgetOptions {
  /** How often admitted events are written to the shared counter, and how stale its view may be. */
  syncMs: number;
  /** Requests of one key within syncMs from which it is served locally. */
  hotRequests: number;
  /** Share of the limit kept back from local admission, for the other replicas' unsynced events. */
  reserve: number;
}

interface KeyState {
  /** The shared usage as the last answer from Redis had it. */
  usage: number;
  syncedAt: number;
  /** Admitted here since, not yet written to the shared counter. */
  pending: number;
  /** Requests seen since `countingSince`, for the hot test. */
  requests: number;
  countingSince: number;
}

/**
 * The fast path of the shared per-key limit. A key that sends many requests per sync interval is
 * admitted against the shared usage Redis last reported plus what this process admitted since, and
 * those events are written to Redis in one call per key and interval instead of one per request.
 * Every other key (and every request near the limit) still makes the exact atomic call, so a
 * key's budget stays shared by all replicas: what they can admit beyond it is bounded by the
 * events each admits within one sync interval, and the reserve keeps local admission away from
 * the limit. Pure logic with the time passed in; RateLimitService does the I/O.
 */
export class LocalBudget {
  private readonly keys = new Map<string, KeyState>();

  constructor(private readonly opts: LocalBudgetOptions) {}

  /** Admits `cost` locally if the key is hot, its view fresh and far enough from the limit. */
  tryAdmit(id: string, cost: number, limit: number, now: number): { remaining: number } | undefined {
    const s = this.keys.get(id);
    if (!s) return undefined;
    if (now - s.countingSince > this.opts.syncMs) {
      s.countingSince = now;
      s.requests = 0;
    }
    s.requests++;
    if (s.requests < this.opts.hotRequests || now - s.syncedAt > this.opts.syncMs) return undefined;
    const used = s.usage + s.pending + cost;
    if (used > limit * (1 - this.opts.reserve)) return undefined;
    s.pending += cost;
    return { remaining: Math.max(0, Math.floor(limit - used)) };
  }

  /** Records the shared usage an exact call (or a flush) returned. */
  synced(id: string, counts: WindowCounts, now: number): void {
    const s = this.keys.get(id);
    if (s) {
      s.usage = slidingUsage(counts);
      s.syncedAt = now;
    } else {
      this.keys.set(id, {
        usage: slidingUsage(counts),
        syncedAt: now,
        pending: 0,
        requests: 1,
        countingSince: now,
      });
    }
  }

  /** Takes the events admitted locally since the last flush, per key; forgets idle keys. */
  takePending(now: number, idleMs: number): [string, number][] {
    const out: [string, number][] = [];
    for (const [id, s] of this.keys) {
      if (s.pending > 0) {
        out.push([id, s.pending]);
        // Until the flush answers, the events count as part of the known usage.
        s.usage += s.pending;
        s.pending = 0;
      } else if (now - s.syncedAt > idleMs) this.keys.delete(id);
    }
    return out;
  }

  /** After a failed flush: the key's view cannot be trusted; its next request takes the exact path. */
  forget(id: string): void {
    this.keys.delete(id);
  }

  get size(): number {
    return this.keys.size;
  }
}
