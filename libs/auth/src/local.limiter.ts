/**
 * An in-process sliding-window counter per id (the same approximation as the gateway's Redis
 * limiter: the current fixed window's count plus the previous one's, weighted by its overlap).
 * It guards what one process can be made to spend when no shared counter is available or needed:
 * unauthenticated requests per address, the query API's requests per key, and the gateway's
 * events per key while Redis is down. At most `maxIds` ids are tracked; the oldest is forgotten.
 */
export class LocalLimiter {
  private readonly windows = new Map<string, { idx: number; curr: number; prev: number }>();

  constructor(
    private readonly windowMs: number,
    private readonly maxIds = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts `cost` against `id` if it fits under `limit`; returns whether it did and the wait if not. */
  consume(
    id: string,
    limit: number,
    cost = 1,
  ): { allowed: boolean; retryAfterSec: number; remaining: number } {
    const t = this.now();
    const idx = Math.floor(t / this.windowMs);
    let w = this.windows.get(id);
    if (!w || w.idx < idx - 1) w = { idx, curr: 0, prev: 0 };
    else if (w.idx === idx - 1) w = { idx, curr: 0, prev: w.curr };
    const elapsed = t - idx * this.windowMs;
    const usage = (w.prev * (this.windowMs - elapsed)) / this.windowMs + w.curr;
    const allowed = usage + cost <= limit;
    if (allowed) w.curr += cost;
    // delete+set keeps the map in last-use order, so eviction drops the id idle the longest.
    this.windows.delete(id);
    this.windows.set(id, w);
    if (this.windows.size > this.maxIds) this.windows.delete(this.windows.keys().next().value as string);
    return {
      allowed,
      remaining: Math.max(0, Math.floor(limit - usage - (allowed ? cost : 0))),
      retryAfterSec: allowed ? 0 : Math.max(1, Math.ceil((this.windowMs - elapsed) / 1000)),
    };
  }

  /** Whether `id` has used up `limit` already (checked before spending anything on the request). */
  exhausted(id: string, limit: number): boolean {
    const w = this.windows.get(id);
    if (!w) return false;
    const t = this.now();
    const idx = Math.floor(t / this.windowMs);
    if (w.idx < idx - 1) return false;
    const [prev, curr] = w.idx === idx ? [w.prev, w.curr] : [w.curr, 0];
    const elapsed = t - idx * this.windowMs;
    return (prev * (this.windowMs - elapsed)) / this.windowMs + curr >= limit;
  }
}
