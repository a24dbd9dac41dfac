import { ApiError } from './api-error';
import { seriesQuerySchema } from './query.dto';
import { ZodPipe } from './zod.pipe';

describe('ZodPipe', () => {
  const raw = { service: 'svc', metric: 'm', from: '1000', to: '61000', tag: ['a:1'], stats: 'p99' };

  it('parses the same parameters once and hands out the same frozen result', () => {
    const pipe = new ZodPipe(seriesQuerySchema);
    const a = pipe.transform({ ...raw });
    expect(a).toMatchObject({ from: 1000, to: 61000, tag: { a: '1' }, stats: ['p99'], window: '1m' });
    expect(pipe.transform({ ...raw })).toBe(a);
    expect(Object.isFrozen(a) && Object.isFrozen(a.tag) && Object.isFrozen(a.stats)).toBe(true);
    expect(pipe.transform({ ...raw, to: '121000' }).to).toBe(121000);
  });

  it('refuses invalid parameters every time', () => {
    const pipe = new ZodPipe(seriesQuerySchema);
    const bad = { ...raw, from: 'yesterday' };
    expect(() => pipe.transform(bad)).toThrow(ApiError);
    expect(() => pipe.transform(bad)).toThrow(ApiError);
  });
});
