import {
  configureWindows,
  DEFAULT_WINDOWS,
  parseWindows,
  SLICE_MS,
  sliceOf,
  WINDOW_SPECS,
  WindowConfigError,
  windowIdOf,
} from './windows';

describe('windows as configuration', () => {
  afterEach(() => configureWindows(parseWindows(DEFAULT_WINDOWS)));

  it('the default set is the four windows with a 10 s slice', () => {
    const specs = parseWindows(DEFAULT_WINDOWS);
    expect(specs.map((w) => [w.id, w.type, w.size, w.sizeMs, w.advanceMs, w.topic])).toEqual([
      ['1m', 'tumbling', '1m', 60_000, 60_000, 'metrics-aggregated-1m'],
      ['5m', 'tumbling', '5m', 300_000, 300_000, 'metrics-aggregated-5m'],
      ['15m', 'tumbling', '15m', 900_000, 900_000, 'metrics-aggregated-15m'],
      ['1m-hop10s', 'hopping', '1m', 60_000, 10_000, 'metrics-aggregated-1m-hop10s'],
    ]);
    expect(sliceOf(specs)).toBe(10_000);
  });

  it('adding a 1h window is a configuration change; the slice follows the set', () => {
    configureWindows(parseWindows('1m,5m,15m,1m-hop10s,1h'));
    expect(WINDOW_SPECS.map((w) => w.id)).toContain('1h');
    expect(windowIdOf({ type: 'tumbling', size: '1h' })).toBe('1h');
    expect(SLICE_MS).toBe(10_000);
    configureWindows(parseWindows('1m,1h,5m-hop30s'));
    expect(SLICE_MS).toBe(30_000);
  });

  it('lists every problem at once', () => {
    let err: unknown;
    try {
      parseWindows('1m,1m,2x,1m-hop7s,5m-hop1m,5m-hop30s,1h-hop1m');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(WindowConfigError);
    const problems = (err as WindowConfigError).problems;
    expect(problems).toEqual([
      '1m is listed twice',
      '"2x" is not a window (a size such as 1m or 1h, or a hopping window such as 1m-hop10s)',
      "1m-hop7s: a hopping window's size must be a multiple of its advance, and larger",
      '5m-hop30s: only one hopping window per size',
      expect.stringMatching(/^a slice would belong to \d+ windows, more than 30/),
    ]);
  });

  it('refuses an empty set', () => {
    expect(() => parseWindows(' , ')).toThrow(/at least one window/);
  });
});
