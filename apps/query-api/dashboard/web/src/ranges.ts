import type { SeriesWindow } from './api';

export interface Range {
  id: string;
  label: string;
  ms: number;
  window: SeriesWindow;
  /** Whether live updates (1m windows) keep the chart current; coarser ranges are re-read. */
  live: boolean;
}

/** Each range picks the window size that gives a readable number of points. */
export const RANGES: readonly Range[] = [
  { id: '15m', label: '15m', ms: 15 * 60_000, window: '1m-hop10s', live: true },
  { id: '1h', label: '1h', ms: 3_600_000, window: '1m', live: true },
  { id: '6h', label: '6h', ms: 6 * 3_600_000, window: '5m', live: true },
  { id: '24h', label: '24h', ms: 86_400_000, window: '15m', live: true },
  { id: '7d', label: '7d', ms: 7 * 86_400_000, window: '1h', live: false },
  { id: '30d', label: '30d', ms: 30 * 86_400_000, window: '1d', live: false },
];

export const DEFAULT_RANGE = RANGES[1] as Range;

export function rangeById(id: string | null): Range {
  return RANGES.find((r) => r.id === id) ?? DEFAULT_RANGE;
}
