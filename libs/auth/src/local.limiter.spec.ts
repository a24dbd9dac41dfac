import { LocalLimiter } from './local.limiter';

describe('LocalLimiter', () => {
  it('admits up to the limit per window, per id, and decays the previous window', () => {
    let now = 10_000;
    const l = new LocalLimiter(1000, 100, () => now);
    expect([1, 2, 3].map(() => l.consume('a', 2).allowed)).toEqual([true, true, false]);
    expect(l.exhausted('a', 2)).toBe(true);
    expect(l.consume('b', 2).allowed).toBe(true);
    expect(l.consume('a', 2).retryAfterSec).toBe(1);
    now += 1000; // the previous window (2) still weighs fully at its start
    expect(l.consume('a', 2).allowed).toBe(false);
    now += 600; // 40 % of it left: 0.8 used
    expect(l.consume('a', 2).allowed).toBe(true);
    now += 5000;
    expect(l.exhausted('a', 2)).toBe(false);
  });

  it('refuses a cost above the limit and forgets the oldest id beyond its capacity', () => {
    const l = new LocalLimiter(1000, 2, () => 0);
    expect(l.consume('a', 5, 6).allowed).toBe(false);
    l.consume('x', 1);
    l.consume('y', 1);
    l.consume('z', 1);
    expect(l.exhausted('x', 1)).toBe(false); // evicted
    expect(l.exhausted('z', 1)).toBe(true);
  });
});
