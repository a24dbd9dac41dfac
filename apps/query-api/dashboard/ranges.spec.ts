import type { SeriesWindowInfo } from '@streammetrics/query/api';
import { MAX_POINTS, rangesFor } from './web/src/ranges';

const MIN = 60_000;
const info = (id: string, kind: SeriesWindowInfo['kind'], sizeMs: number, stepMs = sizeMs) => ({
  id,
  kind,
  sizeMs,
  stepMs,
  live: kind !== 'rollup',
});
const ROLLUPS = [info('1h', 'rollup', 60 * MIN), info('1d', 'rollup', 1440 * MIN)];
const DEFAULTS = [
  info('1m', 'tumbling', MIN),
  info('5m', 'tumbling', 5 * MIN),
  info('15m', 'tumbling', 15 * MIN),
  info('1m-hop10s', 'hopping', MIN, 10_000),
  ...ROLLUPS,
];

describe('the range picker', () => {
  it('gives each span the finest window within the point budget (the default windows)', () => {
    const picked = rangesFor(DEFAULTS).map((r) => [r.id, r.window, r.live, r.liveWindow]);
    expect(picked).toEqual([
      ['15m', '1m-hop10s', true, '1m-hop10s'],
      ['1h', '1m', true, '1m'],
      ['6h', '5m', true, '1m'],
      ['24h', '15m', true, '1m'],
      ['7d', '1h', false, '1m'],
      ['30d', '1d', false, '1m'],
    ]);
    for (const r of rangesFor(DEFAULTS)) {
      const w = DEFAULTS.find((d) => d.id === r.window)!;
      expect(r.ms / w.stepMs).toBeLessThanOrEqual(MAX_POINTS);
    }
  });

  it('follows the configured windows: a 1h tumbling window is live, a missing 5m is skipped over', () => {
    const windows = [info('1m', 'tumbling', MIN), info('1h', 'tumbling', 60 * MIN), ...ROLLUPS.slice(1)];
    const byId = Object.fromEntries(rangesFor(windows).map((r) => [r.id, r]));
    expect(byId['6h']).toMatchObject({ window: '1h', live: true });
    expect(byId['7d']).toMatchObject({ window: '1h', live: true, liveWindow: '1m' });
    expect(byId['15m']).toMatchObject({ window: '1m', liveWindow: '1m' });
  });

  it('leaves out a span no window covers', () => {
    expect(rangesFor([info('1m', 'tumbling', MIN)]).map((r) => r.id)).toEqual(['15m', '1h']);
  });
});
