import Redis from 'ioredis';
import type { WindowCounts } from './rate-limit.math';

// Atomic check-and-count of one request's events. Redis's own clock (TIME) is the only clock, so
// replicas with skewed clocks still share one window. Both counters derive from KEYS[1]; callers put
// a hash tag in it so they stay in one cluster slot. Same rule as rate-limit.math.ts `admits`.
const SLIDING_WINDOW_LUA = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local w = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
local cost = tonumber(ARGV[3])
local idx = math.floor(now / w)
local ck = KEYS[1] .. ':' .. idx
local curr = tonumber(redis.call('GET', ck) or '0')
local prev = tonumber(redis.call('GET', KEYS[1] .. ':' .. (idx - 1)) or '0')
local elapsed = now - idx * w
if prev * (w - elapsed) / w + curr + cost > limit then
  return {0, prev, curr, elapsed}
end
curr = redis.call('INCRBY', ck, cost)
redis.call('PEXPIRE', ck, w * 2 + 1000)
return {1, prev, curr, elapsed}
`;

// Admits a request's series into the key's set for the current period if, with the new ones, the
// set stays within the budget; all or nothing, atomically. Returns {admitted, size after, new}.
const SERIES_BUDGET_LUA = `
local max = tonumber(ARGV[1])
local fresh = {}
for i = 3, #ARGV do
  if redis.call('SISMEMBER', KEYS[1], ARGV[i]) == 0 then fresh[#fresh + 1] = ARGV[i] end
end
local size = redis.call('SCARD', KEYS[1])
if #fresh == 0 then return {1, size, 0} end
if size + #fresh > max then return {0, size, #fresh} end
redis.call('SADD', KEYS[1], unpack(fresh))
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[2]))
return {1, size + #fresh, #fresh}
`;

type SlidingWindowRedis = Redis & {
  smSlidingWindow(
    key: string,
    windowMs: number,
    limit: number,
    cost: number,
  ): Promise<[number, number, number, number]>;
  smSeriesBudget(
    key: string,
    max: number,
    ttlSec: number,
    ...members: string[]
  ): Promise<[number, number, number]>;
};

/** Redis behind one class (services never call it): the shared per-key event counters of all replicas. */
export class RateLimitRepository {
  private readonly redis: SlidingWindowRedis;

  constructor(redisUrl: string) {
    const redis = new Redis(redisUrl, {
      // Every request makes one call: pipelining the concurrent ones saves a round trip each.
      enableAutoPipelining: true,
      maxRetriesPerRequest: 1,
      commandTimeout: 1000,
      lazyConnect: false,
    });
    redis.on('error', () => undefined); // surfaced through failed commands, not as crashes
    redis.defineCommand('smSlidingWindow', { numberOfKeys: 1, lua: SLIDING_WINDOW_LUA });
    redis.defineCommand('smSeriesBudget', { numberOfKeys: 1, lua: SERIES_BUDGET_LUA });
    this.redis = redis as SlidingWindowRedis;
  }

  /** Counts `cost` events against `key` if they fit under `limit` in the sliding window. */
  async consume(
    key: string,
    windowMs: number,
    limit: number,
    cost: number,
  ): Promise<{ allowed: boolean; counts: WindowCounts }> {
    const [allowed, prev, curr, elapsedMs] = await this.redis.smSlidingWindow(key, windowMs, limit, cost);
    return { allowed: allowed === 1, counts: { prev, curr, elapsedMs, windowMs } };
  }

  /** Adds `cost` events already admitted elsewhere (the local fast path) and returns the counts. */
  async add(key: string, windowMs: number, cost: number): Promise<WindowCounts> {
    const [, prev, curr, elapsedMs] = await this.redis.smSlidingWindow(
      key,
      windowMs,
      Number.MAX_SAFE_INTEGER,
      cost,
    );
    return { prev, curr, elapsedMs, windowMs };
  }

  /** Adds `series` (short hashes) to the set at `key` unless that takes it beyond `max` members. */
  async admitSeries(
    key: string,
    max: number,
    ttlSec: number,
    series: string[],
  ): Promise<{ admitted: boolean; size: number; fresh: number }> {
    const [admitted, size, fresh] = await this.redis.smSeriesBudget(key, max, ttlSec, ...series);
    return { admitted: admitted === 1, size, fresh };
  }

  async close(): Promise<void> {
    // QUIT waits for a connection that, with Redis down, never comes: shutdown must not hang on it.
    if (this.redis.status !== 'ready') return this.redis.disconnect();
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
