import { QUANTILE_STAT_NAMES, type Stat, type WindowStats } from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';
import { mergeDigests, TotalsFold, windowStats } from '@streammetrics/windowing';
import type { Tier } from './api.dto';
export type { Tier } from './api.dto';

/** One stored window of one tag set, as either store returns it. */
export interface StoredWindow extends WindowStats {
  start: number;
  end: number;
  tags: Record<string, string>;
  final: boolean;
  streamTime: number;
  /** Binary t-digest; only loaded when windows of several tag sets must be merged. */
  digest?: Uint8Array | null;
  tier: Tier;
}

/** One point of an answered series: the chosen statistics plus where it came from. */
export interface SeriesPoint {
  start: number;
  end: number;
  tier: Tier;
  final: boolean;
  /** Number of stored windows (tag sets) merged into this point. */
  merged: number;
  stats: Partial<Record<Stat, number | null>>;
}

function pick(w: WindowStats, stats: readonly Stat[]): SeriesPoint['stats'] {
  const out: SeriesPoint['stats'] = {};
  for (const s of stats) out[s] = w[s];
  return out;
}

/** The merged digest of the windows that have events and a digest; null when none has. */
export function mergedDigestOf(windows: readonly StoredWindow[]): TDigest | null {
  return mergeDigests(
    windows.filter((w) => w.digest && w.count > 0).map((w) => decodeDigest(w.digest as Uint8Array)),
  );
}

/** The statistics of several stored windows taken as one window of `sizeMs`. */
export function combinedStats(
  windows: readonly StoredWindow[],
  sizeMs: number,
  withQuantiles = true,
): { stats: WindowStats; digest: TDigest | null } {
  const totals = new TotalsFold();
  for (const w of windows) totals.add(w);
  const digest = withQuantiles ? mergedDigestOf(windows) : null;
  return { stats: windowStats(totals, sizeMs, digest), digest };
}

/**
 * Decoded digests by their bytes. Hot windows are cached (HotWindowCache) and keep the same bytes
 * object across requests, so each is decoded once; cold windows' bytes are fresh per read and their
 * entries go with them. Merging never changes its inputs, so sharing a decoded digest is safe.
 */
const decoded = new WeakMap<Uint8Array, TDigest>();

export function decodeDigest(d: Uint8Array | string): TDigest {
  if (typeof d === 'string') return TDigest.fromBase64(d);
  let digest = decoded.get(d);
  if (digest === undefined) {
    digest = TDigest.fromBytes(d);
    decoded.set(d, digest);
  }
  return digest;
}

/**
 * Combines the windows of several tag sets that share a window start into one point. Counts and
 * sums add and min/max are exact; percentiles come from the merged digests, because a percentile of
 * a union is not any function of the parts' percentiles.
 */
export function mergeWindows(
  windows: readonly StoredWindow[],
  sizeMs: number,
  stats: readonly Stat[],
): SeriesPoint {
  const first = windows[0];
  if (!first) throw new Error('mergeWindows: no windows');
  const tier: Tier = windows.some((w) => w.tier === 'hot') ? 'hot' : 'cold';
  if (windows.length === 1) {
    return {
      start: first.start,
      end: first.end,
      tier,
      final: first.final,
      merged: 1,
      stats: pick(first, stats),
    };
  }
  const final = windows.every((w) => w.final);
  const wantsQuantiles = stats.some((s) => (QUANTILE_STAT_NAMES as readonly string[]).includes(s));
  const merged = combinedStats(windows, sizeMs, wantsQuantiles).stats;
  return {
    start: first.start,
    end: first.end,
    tier,
    final,
    merged: windows.length,
    stats: pick(merged, stats),
  };
}

/** Groups windows by start (ascending) and merges each group. */
export function toPoints(
  windows: readonly StoredWindow[],
  sizeMs: number,
  stats: readonly Stat[],
): SeriesPoint[] {
  const byStart = new Map<number, StoredWindow[]>();
  for (const w of windows) {
    const list = byStart.get(w.start);
    if (list) list.push(w);
    else byStart.set(w.start, [w]);
  }
  return [...byStart.keys()]
    .sort((a, b) => a - b)
    .map((start) => mergeWindows(byStart.get(start) as StoredWindow[], sizeMs, stats));
}
