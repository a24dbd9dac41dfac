import { ApiError } from './api-error';
import { parseQuantile, parseQuery, seriesQuerySchema, summaryQuerySchema } from './query.dto';

describe('query parameters', () => {
  it('reads quantiles as fractions or percentile names', () => {
    expect(parseQuantile('0.999')).toBe(0.999);
    expect(parseQuantile('p99.9')).toBe(0.999);
    expect(parseQuantile('p50')).toBe(0.5);
    expect(parseQuantile('1.5')).toBeUndefined();
    expect(parseQuantile('p101')).toBeUndefined();
  });

  it('parses a series query with tags, times and stats', () => {
    const q = parseQuery(seriesQuerySchema, {
      service: 'svc',
      metric: 'm.x',
      from: '2026-01-01T00:00:00Z',
      to: '1767229200000',
      tag: ['region:eu', 'path:/a:b,c'],
      stats: 'p99,count',
    });
    expect(q).toMatchObject({
      window: '1m',
      from: 1767225600000,
      to: 1767229200000,
      stats: ['p99', 'count'],
    });
    expect(q.tag).toEqual({ path: '/a:b,c', region: 'eu' });
  });

  it('lists every problem at once', () => {
    let err: ApiError | undefined;
    try {
      parseQuery(summaryQuerySchema, { metric: '', from: 'soon', q: 'p200' });
    } catch (e) {
      err = e as ApiError;
    }
    expect(err?.status).toBe(400);
    expect(err?.problems?.map((p) => p.field).sort()).toEqual(['from', 'metric', 'q', 'service']);
  });
});
