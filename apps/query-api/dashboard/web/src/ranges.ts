import { pageConfig, type SeriesWindow, type SeriesWindowInfo } from './api';

export interface Range {
  id: string;
  label: string;
  ms: number;
  window: SeriesWindow;
  /** Whether live updates keep the chart current; ranges on rollups are re-read. */
  live: boolean;
  /**
   * The window the live subscription follows: the range's own when it is hopping (each update is
   * a point of the chart), otherwise the finest tumbling window (its finals feed the tiles).
   */
  liveWindow: SeriesWindow;
}

/** The spans the picker offers. */
const SPANS: readonly { id: string; ms: number }[] = [
  { id: '15m', ms: 15 * 60_000 },
  { id: '1h', ms: 3_600_000 },
  { id: '6h', ms: 6 * 3_600_000 },
  { id: '24h', ms: 86_400_000 },
  { id: '7d', ms: 7 * 86_400_000 },
  { id: '30d', ms: 30 * 86_400_000 },
];

/** A chart with more points than this is slow to draw and no easier to read. */
export const MAX_POINTS = 200;

/**
 * Each span takes the window of the finest step that keeps it within MAX_POINTS, out of the
 * windows this deployment serves (the server lists them in the page); a span no window covers is
 * left out.
 */
export function rangesFor(windows: readonly SeriesWindowInfo[]): Range[] {
  const byStep = [...windows].sort((a, b) => a.stepMs - b.stepMs);
  const finestTumbling = byStep.find((w) => w.kind === 'tumbling' && w.live);
  const out: Range[] = [];
  for (const span of SPANS) {
    const w = byStep.find((c) => span.ms / c.stepMs <= MAX_POINTS);
    if (!w) continue;
    const liveWindow = w.kind === 'hopping' ? w.id : (finestTumbling?.id ?? w.id);
    out.push({ id: span.id, label: span.id, ms: span.ms, window: w.id, live: w.live, liveWindow });
  }
  return out;
}

let ranges: Range[] | undefined;

export function allRanges(): readonly Range[] {
  ranges ??= rangesFor(pageConfig().windows);
  return ranges;
}

/** 1h when this deployment offers it, otherwise the first range. */
export function defaultRange(): Range {
  const all = allRanges();
  const range = all.find((r) => r.id === '1h') ?? all[0];
  // The rollups alone cover the longer spans, so only a page not served by the query API gets here.
  if (!range) throw new Error('the page lists no windows: open it from the query API');
  return range;
}

export function rangeById(id: string | null): Range {
  return allRanges().find((r) => r.id === id) ?? defaultRange();
}
