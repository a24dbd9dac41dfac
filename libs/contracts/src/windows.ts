/**
 * The window sizes StreamMetrics computes, defined once. Every size and hop is a multiple of the
 * 10 s slice (their greatest common divisor), which is what makes stream slicing possible.
 */
export const SLICE_MS = 10_000;

export type WindowId = '1m' | '5m' | '15m' | '1m-hop10s';
export type RollupId = '1h' | '1d';

export interface WindowSpec {
  id: WindowId;
  type: 'tumbling' | 'hopping';
  /** Value of `window.size` in the aggregate record. */
  size: '1m' | '5m' | '15m';
  sizeMs: number;
  advanceMs: number;
  topic: string;
}

export const WINDOW_SPECS: readonly WindowSpec[] = [
  {
    id: '1m',
    type: 'tumbling',
    size: '1m',
    sizeMs: 60_000,
    advanceMs: 60_000,
    topic: 'metrics-aggregated-1m',
  },
  {
    id: '5m',
    type: 'tumbling',
    size: '5m',
    sizeMs: 300_000,
    advanceMs: 300_000,
    topic: 'metrics-aggregated-5m',
  },
  {
    id: '15m',
    type: 'tumbling',
    size: '15m',
    sizeMs: 900_000,
    advanceMs: 900_000,
    topic: 'metrics-aggregated-15m',
  },
  {
    id: '1m-hop10s',
    type: 'hopping',
    size: '1m',
    sizeMs: 60_000,
    advanceMs: 10_000,
    topic: 'metrics-aggregated-1m-hop10s',
  },
];

export function windowSpec(id: WindowId): WindowSpec {
  const spec = WINDOW_SPECS.find((w) => w.id === id);
  if (!spec) throw new Error(`unknown window ${id}`);
  return spec;
}

/** Maps an aggregate record's window back to its id (hopping 1m is "1m-hop10s"). */
export function windowIdOf(window: { type: 'tumbling' | 'hopping'; size: string }): WindowId {
  if (window.type === 'hopping') return '1m-hop10s';
  if (window.size === '1m' || window.size === '5m' || window.size === '15m') return window.size;
  throw new Error(`unknown window size ${window.size}`);
}
