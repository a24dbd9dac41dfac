import { LocalBudget } from './rate-limit.local';

const counts = (curr: number) => ({ prev: 0, curr, elapsedMs: 0, windowMs: 1000 });

describe('LocalBudget', () => {
  const opts = { syncMs: 20, hotRequests: 3, reserve: 0.1 };

  it('sends a key through the exact path until it is hot', () => {
    const b = new LocalBudget(opts);
    expect(b.tryAdmit('k', 1, 100, 0)).toBeUndefined(); // never synced
    b.synced('k', counts(1), 0);
    expect(b.tryAdmit('k', 1, 100, 1)).toBeUndefined(); // 2nd request
    expect(b.tryAdmit('k', 1, 100, 2)).toEqual({ remaining: 98 }); // 3rd: hot
  });

  it('a key sending slower than the hot rate never takes the local path', () => {
    const b = new LocalBudget(opts);
    for (let t = 0; t < 1000; t += 15) {
      expect(b.tryAdmit('k', 1, 100, t)).toBeUndefined();
      b.synced('k', counts(t / 15), t);
    }
  });

  it('stops admitting locally at the reserve, and when its view is older than one sync', () => {
    const b = new LocalBudget(opts);
    b.synced('k', counts(80), 0);
    expect(b.tryAdmit('k', 1, 100, 0)).toBeUndefined(); // not hot yet
    expect(b.tryAdmit('k', 9, 100, 0)).toEqual({ remaining: 11 });
    expect(b.tryAdmit('k', 1, 100, 1)).toEqual({ remaining: 10 }); // 90 = limit - reserve
    expect(b.tryAdmit('k', 1, 100, 1)).toBeUndefined(); // 91 > 90
    b.synced('k', counts(0), 5);
    expect(b.tryAdmit('k', 1, 100, 30)).toBeUndefined(); // stale: synced 25 ms ago
  });

  it('hands out the pending events once, counts them as used until synced, forgets idle keys', () => {
    const b = new LocalBudget(opts);
    b.synced('k', counts(0), 0);
    for (let i = 0; i < 5; i++) b.tryAdmit('k', 2, 100, 1);
    expect(b.takePending(10, 1000)).toEqual([['k', 8]]); // all but the first call admitted locally
    expect(b.takePending(11, 1000)).toEqual([]);
    expect(b.tryAdmit('k', 1, 100, 12)).toEqual({ remaining: 91 }); // usage 8 + 1
    b.takePending(13, 1000);
    b.takePending(5000, 1000);
    expect(b.size).toBe(0);
  });

  it('forgets a key whose flush failed', () => {
    const b = new LocalBudget(opts);
    b.synced('k', counts(0), 0);
    b.forget('k');
    expect(b.tryAdmit('k', 1, 100, 1)).toBeUndefined();
  });
});
