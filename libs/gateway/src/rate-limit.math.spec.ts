import {
  admits,
  decide,
  rateLimitHeaders,
  retryAfterMs,
  slidingUsage,
  type WindowCounts,
} from './rate-limit.math';

const w = (prev: number, curr: number, elapsedMs: number): WindowCounts => ({
  prev,
  curr,
  elapsedMs,
  windowMs: 1000,
});

describe('sliding-window counter', () => {
  it('weights the previous window by its remaining overlap', () => {
    expect(slidingUsage(w(100, 0, 0))).toBe(100);
    expect(slidingUsage(w(100, 10, 250))).toBe(85);
    expect(slidingUsage(w(100, 10, 1000))).toBe(10);
  });

  it('admits exactly up to the limit', () => {
    expect(admits(w(0, 90, 0), 10, 100)).toBe(true);
    expect(admits(w(0, 90, 0), 11, 100)).toBe(false);
    expect(admits(w(100, 0, 500), 50, 100)).toBe(true);
  });

  it('computes the wait until a batch fits, within this window or the next', () => {
    // usage 100 at t=0; 50 more fit once the previous window has half decayed.
    expect(retryAfterMs(w(100, 0, 0), 50, 100)).toBe(500);
    expect(admits(w(100, 0, 500), 50, 100)).toBe(true);
    // current window full: wait for its end, then for it to decay enough as the previous one.
    expect(retryAfterMs(w(0, 100, 400), 10, 100)).toBe(600 + 100);
    expect(admits(w(100, 0, 100), 10, 100)).toBe(true);
    expect(admits(w(100, 0, 99), 10, 100)).toBe(false);
    expect(retryAfterMs(w(0, 0, 0), 10, 100)).toBe(0);
    expect(retryAfterMs(w(0, 0, 0), 101, 100)).toBeNull();
  });

  it('turns a refusal into RateLimit headers and a Retry-After of at least 1 s', () => {
    const d = decide(w(100, 0, 0), 50, 100, false);
    expect(d).toMatchObject({ allowed: false, limit: 100, remaining: 0, retryAfterSec: 1 });
    expect(rateLimitHeaders(d)).toEqual({
      'RateLimit-Limit': '100',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '1',
      'RateLimit-Policy': '100;w=1',
      'Retry-After': '1',
    });
    expect(rateLimitHeaders(decide(w(0, 30, 200), 30, 100, true))['RateLimit-Remaining']).toBe('70');
  });
});
