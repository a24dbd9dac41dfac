const INSERTION_SORT_MAX = 16;

/**
 * Sorts `means[from, to)` ascending and permutes `weights` alongside. Deterministic (no random
 * pivots), in place, no allocation beyond a small explicit stack: merging many digests sorts
 * thousands of weighted centroids and a comparator-based index sort would dominate the cost.
 */
export function sortCentroids(means: Float64Array, weights: Float64Array, from: number, to: number): void {
  const stack: number[] = [from, to - 1];
  while (stack.length > 0) {
    const hi = stack.pop() as number;
    const lo = stack.pop() as number;
    if (hi - lo < INSERTION_SORT_MAX) {
      insertionSort(means, weights, lo, hi);
      continue;
    }
    const mid = lo + ((hi - lo) >> 1);
    // Median of three moved to `hi` guards the already-sorted runs that merging digests produces.
    if (means[mid]! < means[lo]!) swap(means, weights, mid, lo);
    if (means[hi]! < means[lo]!) swap(means, weights, hi, lo);
    if (means[mid]! < means[hi]!) swap(means, weights, mid, hi);
    const pivot = means[hi]!;
    let i = lo - 1;
    let j = hi;
    for (;;) {
      do i++;
      while (means[i]! < pivot);
      do j--;
      while (j > lo && means[j]! > pivot);
      if (i >= j) break;
      swap(means, weights, i, j);
    }
    swap(means, weights, i, hi);
    // Push the larger side first so the stack stays O(log n).
    if (i - lo > hi - i) {
      stack.push(lo, i - 1, i + 1, hi);
    } else {
      stack.push(i + 1, hi, lo, i - 1);
    }
  }
}

function insertionSort(means: Float64Array, weights: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i <= hi; i++) {
    const m = means[i]!;
    const w = weights[i]!;
    let j = i - 1;
    while (j >= lo && means[j]! > m) {
      means[j + 1] = means[j]!;
      weights[j + 1] = weights[j]!;
      j--;
    }
    means[j + 1] = m;
    weights[j + 1] = w;
  }
}

function swap(means: Float64Array, weights: Float64Array, a: number, b: number): void {
  const m = means[a]!;
  means[a] = means[b]!;
  means[b] = m;
  const w = weights[a]!;
  weights[a] = weights[b]!;
  weights[b] = w;
}
