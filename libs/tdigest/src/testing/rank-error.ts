/**
 * Normalised rank error of `estimate` as a q-quantile of ascending `sorted`: zero when some rank
 * the estimate could occupy (ties included, which matters for data with duplicates) is q, else the
 * distance from q to that rank range. An estimate that is not a number is as wrong as can be (1).
 * The one measure of quantile accuracy every test, oracle and benchmark uses.
 */
export function rankError(sorted: ArrayLike<number>, q: number, estimate: number): number {
  if (!Number.isFinite(estimate)) return 1;
  const below = lowerBound(sorted, estimate, false) / sorted.length;
  const atOrBelow = lowerBound(sorted, estimate, true) / sorted.length;
  return Math.max(0, below - q, q - atOrBelow);
}

function lowerBound(sorted: ArrayLike<number>, x: number, inclusive: boolean): number {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    const v = sorted[mid]!;
    if (v < x || (inclusive && v === x)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
