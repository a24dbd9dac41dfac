/**
 * Normalised rank error of `estimate` as a q-quantile of ascending `sorted`: zero when some rank the
 * estimate could hold (ties included, which matters for the duplicates data set) equals q, else the
 * distance from q to that rank range.
 */
export function rankError(sorted: Float64Array, q: number, estimate: number): number {
  if (!Number.isFinite(estimate)) return 1;
  const below = lowerBound(sorted, estimate, false) / sorted.length;
  const atOrBelow = lowerBound(sorted, estimate, true) / sorted.length;
  return Math.max(0, below - q, q - atOrBelow);
}

/** The exact q-quantile under the nearest-rank definition. */
export function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function relativeValueError(sorted: Float64Array, q: number, estimate: number): number {
  const exact = exactQuantile(sorted, q);
  if (!Number.isFinite(estimate)) return Infinity;
  return exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / Math.abs(exact);
}

function lowerBound(sorted: Float64Array, x: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid]! < x || (inclusive && sorted[mid] === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
