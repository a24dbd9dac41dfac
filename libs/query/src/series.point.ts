import { TDigest } from '@streammetrics/tdigest';
import type { Stat } from './query.dto';
import type { Tier } from './api.dto';
export type { Tier } from './api.dto';

/** One stored window of one tag set, as either store returns it. */
export interface StoredWindow {
  start: number;
  end: number;
  tags: Record<string, string>;
  count: number;
  sum: number;
  min: number;
  max: number;
  avg: number;
  rate: number;
  p50: number;
  p95: number;
  p99: number;
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

const num = (v: number) => (Number.isFinite(v) ? v : null);

function pick(w: Omit<StoredWindow, 'tags' | 'digest'>, stats: readonly Stat[]): SeriesPoint['stats'] {
  const out: SeriesPoint['stats'] = {};
  for (const s of stats) out[s] = num(w[s]);
  return out;
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
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let final = true;
  for (const w of windows) {
    count += w.count;
    sum += w.sum;
    if (w.min < min) min = w.min;
    if (w.max > max) max = w.max;
    final &&= w.final;
  }
  const wantsQuantiles = stats.some((s) => s === 'p50' || s === 'p95' || s === 'p99');
  let p = [NaN, NaN, NaN];
  if (wantsQuantiles) {
    const digests = windows
      .filter((w) => w.digest && w.count > 0)
      .map((w) => decodeDigest(w.digest as Uint8Array));
    if (digests.length) p = TDigest.mergeAll(digests).quantiles([0.5, 0.95, 0.99]);
  }
  const merged = {
    start: first.start,
    end: first.end,
    count,
    sum,
    min,
    max,
    avg: count > 0 ? sum / count : NaN,
    rate: count / (sizeMs / 1000),
    p50: p[0] as number,
    p95: p[1] as number,
    p99: p[2] as number,
    final,
    streamTime: 0,
    tier,
  };
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
