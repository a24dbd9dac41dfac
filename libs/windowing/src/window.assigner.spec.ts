import { WINDOW_SPECS, windowSpec } from '@streammetrics/contracts';
import { sliceStartOf, windowStartsOf, WindowLayout } from './window.assigner';

const T0 = Date.UTC(2024, 1, 7, 1, 0, 0); // a 15-minute boundary

describe('window assignment', () => {
  it('puts a timestamp in exactly one 10 s slice, boundaries to the millisecond', () => {
    expect(sliceStartOf(T0)).toBe(T0);
    expect(sliceStartOf(T0 + 9_999)).toBe(T0);
    expect(sliceStartOf(T0 + 10_000)).toBe(T0 + 10_000);
    expect(sliceStartOf(0)).toBe(0);
  });

  it('assigns tumbling windows by [start, end)', () => {
    const m1 = windowSpec('1m');
    expect(windowStartsOf(m1, T0 + 59_999)).toEqual([T0]);
    expect(windowStartsOf(m1, T0 + 60_000)).toEqual([T0 + 60_000]);
    expect(windowStartsOf(windowSpec('5m'), T0 + 299_999)).toEqual([T0]);
    expect(windowStartsOf(windowSpec('15m'), T0 + 900_000)).toEqual([T0 + 900_000]);
  });

  it('assigns six hopping windows, latest first', () => {
    const hop = windowSpec('1m-hop10s');
    expect(windowStartsOf(hop, T0 + 65_000)).toEqual([60, 50, 40, 30, 20, 10].map((s) => T0 + s * 1000));
    expect(windowStartsOf(hop, T0 + 60_000)).toEqual([60, 50, 40, 30, 20, 10].map((s) => T0 + s * 1000));
    expect(windowStartsOf(hop, T0 + 59_999)).toEqual([50, 40, 30, 20, 10, 0].map((s) => T0 + s * 1000));
  });

  it('starts no window before epoch 0', () => {
    expect(windowStartsOf(windowSpec('1m-hop10s'), 25_000)).toEqual([20_000, 10_000, 0]);
    expect(windowStartsOf(windowSpec('1m-hop10s'), 0)).toEqual([0]);
    expect(windowStartsOf(windowSpec('15m'), 0)).toEqual([0]);
  });
});

describe('WindowLayout', () => {
  const layout = new WindowLayout(WINDOW_SPECS);

  it('gives each window a slice belongs to its own bit', () => {
    expect(layout.allBits).toBe(0b111111111);
    expect(layout.validMask(T0)).toBe(layout.allBits);
    // Near epoch 0 only the hopping windows starting at >= 0 exist.
    expect(layout.idsOf(layout.validMask(20_000))).toEqual(['1m', '5m', '15m', '1m-hop10s']);
    expect(layout.validMask(20_000).toString(2)).toBe('111111');
  });

  it('closes a window exactly when stream time reaches end + grace', () => {
    const only1m = new WindowLayout([windowSpec('1m')]);
    expect(only1m.openMask(T0 + 50_000, T0 + 69_999, 10_000)).toBe(1);
    expect(only1m.openMask(T0 + 50_000, T0 + 70_000, 10_000)).toBe(0);
  });

  it('keeps the wider windows of a slice open after its 1m windows closed', () => {
    const open = layout.openMask(T0 + 60_000, T0 + 200_000, 10_000);
    expect(layout.idsOf(open)).toEqual(['5m', '15m']);
    expect(layout.idsOf(layout.allBits & ~open)).toEqual(['1m', '1m-hop10s']);
  });

  it('keeps a slice until the last window containing it closes', () => {
    expect(layout.sliceExpiry(T0, 10_000)).toBe(T0 + 910_000);
    expect(layout.sliceExpiry(T0 + 890_000, 10_000)).toBe(T0 + 960_000); // its last hop window ends after the 15m one
  });

  it('rejects layouts beyond 30 windows per slice', () => {
    const tiny = { ...windowSpec('1m-hop10s'), sizeMs: 400_000 };
    expect(() => new WindowLayout([tiny])).toThrow(/too many/);
  });
});
