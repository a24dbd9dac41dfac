import { PointsBodyCache } from './points-body.cache';

describe('PointsBodyCache', () => {
  const p = () => ({});
  it('hands out the written list while the points are the same objects, rewrites it otherwise', () => {
    const cache = new PointsBodyCache(1000);
    const points = [p(), p()];
    let writes = 0;
    const write = (s: string) => () => (writes++, Buffer.from(s));
    expect(cache.get('k', points, write('a')).toString()).toBe('a');
    expect(cache.get('k', [...points], write('b')).toString()).toBe('a');
    expect(writes).toBe(1);
    // One changed point (a newer version of its window) is a new object: written afresh.
    expect(cache.get('k', [points[0] as object, p()], write('c')).toString()).toBe('c');
    expect(cache.get('k', points.slice(0, 1), write('d')).toString()).toBe('d');
    expect(writes).toBe(3);
  });

  it('keeps at most its byte budget, dropping the oldest, and never one list over a tenth of it', () => {
    const cache = new PointsBodyCache(100);
    const points = [p()];
    cache.get('big', points, () => Buffer.alloc(11));
    expect(cache.size).toBe(0);
    for (let i = 0; i < 12; i++) cache.get(`k${i}`, points, () => Buffer.alloc(10));
    expect(cache.size).toBe(10);
    let rewritten = false;
    cache.get('k0', points, () => ((rewritten = true), Buffer.alloc(10)));
    expect(rewritten).toBe(true);
  });
});
