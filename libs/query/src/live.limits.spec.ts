import { LiveConnectionCounts } from './live.limits';

describe('LiveConnectionCounts', () => {
  it('caps sockets in total and per key, and frees slots on close', () => {
    const c = new LiveConnectionCounts(3, 2);
    expect([c.tryOpen(), c.tryOpen(), c.tryOpen(), c.tryOpen()]).toEqual([true, true, true, false]);
    expect([c.tryBind('k'), c.tryBind('k'), c.tryBind('k'), c.tryBind('other')]).toEqual([
      true,
      true,
      false,
      true,
    ]);
    c.unbind('k');
    expect(c.tryBind('k')).toBe(true);
    c.close();
    expect(c.open).toBe(2);
    expect(c.tryOpen()).toBe(true);
  });
});
