/**
 * Sliding-window counter (the approximation Redis-backed limiters use): the window's usage is the
 * current fixed window's count plus the previous window's count weighted by how much of it still
 * overlaps the sliding window. O(1) state per key — two counters — whatever the event rate.
 */
export interface WindowCounts {
  /** Events counted in the previous fixed window. */
  prev: number;
  /** Events counted in the current fixed window (including this request's when admitted). */
  curr: number;
  /** Milliseconds since the current fixed window started. */
  elapsedMs: number;
  windowMs: number;
}

export function slidingUsage(c: WindowCounts): number {
  return (c.prev * (c.windowMs - c.elapsedMs)) / c.windowMs + c.curr;
}

/** The admission rule the Lua script applies atomically; here so it is unit-tested with the rest. */
export function admits(c: WindowCounts, cost: number, limit: number): boolean {
  return slidingUsage(c) + cost <= limit;
}

/**
 * Milliseconds until `cost` events fit under `limit`, assuming no other traffic; null if they never
 * can (a batch bigger than the whole window's allowance).
 */
export function retryAfterMs(c: WindowCounts, cost: number, limit: number): number | null {
  const room = limit - cost; // the usage that must not be exceeded before adding the batch
  if (room < 0) return null;
  if (slidingUsage(c) <= room) return 0;
  const left = c.windowMs - c.elapsedMs;
  if (c.curr <= room) {
    // Still in this window: the previous window's weight decays linearly until usage reaches room.
    return Math.max(0, Math.ceil(left - ((room - c.curr) * c.windowMs) / c.prev));
  }
  // Next window: the current count becomes the decaying previous one.
  return left + Math.max(0, Math.ceil(c.windowMs - (room * c.windowMs) / c.curr));
}

export interface RateLimitDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window's usage has fully decayed (RateLimit-Reset). */
  resetSec: number;
  /** Seconds to wait before retrying (Retry-After), when refused. */
  retryAfterSec?: number;
  windowMs: number;
}

export function decide(c: WindowCounts, cost: number, limit: number, allowed: boolean): RateLimitDecision {
  const usage = slidingUsage(c);
  const base = {
    allowed,
    limit,
    remaining: Math.max(0, Math.floor(limit - usage)),
    resetSec: Math.max(1, Math.ceil((c.windowMs - c.elapsedMs + (c.curr > 0 ? c.windowMs : 0)) / 1000)),
    windowMs: c.windowMs,
  };
  if (allowed) return base;
  const wait = retryAfterMs(c, cost, limit);
  return { ...base, retryAfterSec: Math.max(1, Math.ceil((wait ?? c.windowMs) / 1000)) };
}

/** IETF draft RateLimit header fields (draft-ietf-httpapi-ratelimit-headers), plus Retry-After. */
export function rateLimitHeaders(d: RateLimitDecision): Record<string, string> {
  const h: Record<string, string> = {
    'RateLimit-Limit': String(d.limit),
    'RateLimit-Remaining': String(d.remaining),
    'RateLimit-Reset': String(d.resetSec),
    'RateLimit-Policy': `${d.limit};w=${Math.max(1, Math.round(d.windowMs / 1000))}`,
  };
  if (d.retryAfterSec !== undefined) h['Retry-After'] = String(d.retryAfterSec);
  return h;
}
