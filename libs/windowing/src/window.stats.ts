import {
  QUANTILE_LEVELS,
  QUANTILE_STAT_NAMES,
  type FilledWindowStats,
  type QuantileStat,
  type WindowStats,
} from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';

/** The exact part of one or more windows: what adds up without a digest. */
export interface ExactTotals {
  count: number;
  sum: number;
  min: number;
  max: number;
}

/**
 * Folds exact totals in the order they are added: sums are added part by part, so the same parts
 * in the same order give the same bits wherever they are folded (processor, rollups, queries).
 * Parts without events (count 0) leave min and max alone.
 */
export class TotalsFold implements ExactTotals {
  count = 0;
  sum = 0;
  min = Infinity;
  max = -Infinity;

  add(part: { count: number; sum: number; min: number | null; max: number | null }): this {
    this.count += part.count;
    this.sum += part.sum;
    if (part.count > 0) {
      if (part.min !== null && part.min < this.min) this.min = part.min;
      if (part.max !== null && part.max > this.max) this.max = part.max;
    }
    return this;
  }
}

/** One digest of several (null when there is none); the inputs are left unchanged. */
export function mergeDigests(digests: readonly TDigest[]): TDigest | null {
  const filled = digests.filter((d) => d.count > 0);
  if (filled.length === 0) return null;
  return filled.length === 1 ? (filled[0] as TDigest) : TDigest.mergeAll(filled);
}

/**
 * The statistics of a window of `sizeMs` from its exact totals and its (merged) digest, by the one
 * rule for empty windows (see WindowStats). Rate is events per second of the window's length.
 */
export function windowStats(totals: ExactTotals, sizeMs: number, digest: TDigest | null): WindowStats {
  const filled = totals.count > 0;
  const quantiles = digest && digest.count > 0 ? digest.quantiles(QUANTILE_LEVELS) : null;
  const byQuantile = Object.fromEntries(
    QUANTILE_STAT_NAMES.map((s, i) => [s, quantiles?.[i] ?? null]),
  ) as Record<QuantileStat, number | null>;
  return {
    count: totals.count,
    sum: totals.sum,
    min: filled ? totals.min : null,
    max: filled ? totals.max : null,
    avg: filled ? totals.sum / totals.count : null,
    rate: totals.count / (sizeMs / 1000),
    ...byQuantile,
  };
}

/** The statistics of a window that must have events (an emitted aggregate); throws otherwise. */
export function filledWindowStats(
  totals: ExactTotals,
  sizeMs: number,
  digest: TDigest | null,
): FilledWindowStats {
  const s = windowStats(totals, sizeMs, digest);
  for (const [k, v] of Object.entries(s)) {
    if (v === null)
      throw new Error(
        `a window with events has no ${k}: ${totals.count} events, digest ${digest?.count ?? 'none'}`,
      );
  }
  return s as FilledWindowStats;
}
