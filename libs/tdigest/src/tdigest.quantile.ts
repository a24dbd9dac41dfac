/** Read-only view of a fully merged digest, as the estimators below need it. */
export interface CentroidView {
  readonly means: Float64Array;
  readonly weights: Float64Array;
  readonly n: number;
  readonly totalWeight: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Estimates the quantiles `qs[order[0]], qs[order[1]], ...` (which must be ascending) in one pass over
 * the centroids, writing each into `out` at its original slot.
 *
 * Interpolation follows the reference MergingDigest: centroid means sit at the middle of their
 * weight; a unit-weight centroid is a point mass (returned exactly inside its half-unit); the outer
 * halves of the end centroids interpolate toward the exact min and max, which are real samples.
 */
export function estimateQuantiles(
  view: CentroidView,
  qs: readonly number[],
  order: ArrayLike<number>,
  out: number[],
): void {
  const { means, weights, n, totalWeight: total, min, max } = view;
  let i = 0;
  let weightSoFar = n > 0 ? weights[0]! / 2 : 0;
  for (let k = 0; k < order.length; k++) {
    const slot = order[k]!;
    if (n === 0) {
      out[slot] = NaN;
      continue;
    }
    if (n === 1) {
      out[slot] = means[0]!;
      continue;
    }
    const index = qs[slot]! * total;
    const firstW = weights[0]!;
    const lastW = weights[n - 1]!;
    if (index < 1) {
      out[slot] = min;
    } else if (firstW > 1 && index < firstW / 2) {
      out[slot] = min + ((index - 1) / (firstW / 2 - 1)) * (means[0]! - min);
    } else if (index > total - 1) {
      out[slot] = max;
    } else if (lastW > 1 && total - index <= lastW / 2) {
      out[slot] = max - ((total - index - 1) / (lastW / 2 - 1)) * (max - means[n - 1]!);
    } else {
      // Targets arrive ascending, so the bracketing pair only ever moves right.
      while (i < n - 1 && weightSoFar + (weights[i]! + weights[i + 1]!) / 2 <= index) {
        weightSoFar += (weights[i]! + weights[i + 1]!) / 2;
        i++;
      }
      out[slot] = i < n - 1 ? interpolate(means, weights, i, weightSoFar, index) : max;
    }
  }
}

function interpolate(
  means: Float64Array,
  weights: Float64Array,
  i: number,
  weightSoFar: number,
  index: number,
): number {
  const dw = (weights[i]! + weights[i + 1]!) / 2;
  let leftUnit = 0;
  if (weights[i] === 1) {
    if (index - weightSoFar < 0.5) return means[i]!;
    leftUnit = 0.5;
  }
  let rightUnit = 0;
  if (weights[i + 1] === 1) {
    if (weightSoFar + dw - index <= 0.5) return means[i + 1]!;
    rightUnit = 0.5;
  }
  const z1 = index - weightSoFar - leftUnit;
  const z2 = weightSoFar + dw - index - rightUnit;
  return weightedAverage(means[i]!, z2, means[i + 1]!, z1);
}

function weightedAverage(x1: number, w1: number, x2: number, w2: number): number {
  const lo = Math.min(x1, x2);
  const hi = Math.max(x1, x2);
  const x = (x1 * w1 + x2 * w2) / (w1 + w2);
  // Rounding can push the blend a hair outside its bracket; a quantile must stay monotone.
  return x < lo ? lo : x > hi ? hi : x;
}

/**
 * Estimated fraction of the weight at or below x, the inverse of the interpolation above.
 * Centroids whose mean equals x count half, so all-equal data gives cdf(value) = 0.5.
 */
export function estimateCdf(view: CentroidView, x: number): number {
  const { means, weights, n, totalWeight: total, min, max } = view;
  if (n === 0) return NaN;
  if (x < min) return 0;
  if (x > max) return 1;
  if (n === 1) return max - min === 0 ? 0.5 : (x - min) / (max - min);
  if (x < means[0]!) {
    if (means[0]! - min <= 0) return 0;
    if (x === min) return 0.5 / total;
    return (1 + ((x - min) / (means[0]! - min)) * (weights[0]! / 2 - 1)) / total;
  }
  if (x > means[n - 1]!) {
    if (max - means[n - 1]! <= 0) return 1;
    if (x === max) return 1 - 0.5 / total;
    return 1 - (1 + ((max - x) / (max - means[n - 1]!)) * (weights[n - 1]! / 2 - 1)) / total;
  }
  let weightSoFar = 0;
  for (let i = 0; i < n - 1; i++) {
    if (means[i] === x) {
      let dw = 0;
      for (let j = i; j < n && means[j] === x; j++) dw += weights[j]!;
      return (weightSoFar + dw / 2) / total;
    }
    if (means[i]! < x && x < means[i + 1]!) {
      let leftExcluded = 0;
      let rightExcluded = 0;
      if (weights[i] === 1) {
        if (weights[i + 1] === 1) return (weightSoFar + 1) / total;
        leftExcluded = 0.5;
      } else if (weights[i + 1] === 1) {
        rightExcluded = 0.5;
      }
      const dw = (weights[i]! + weights[i + 1]!) / 2 - leftExcluded - rightExcluded;
      const base = weightSoFar + weights[i]! / 2 + leftExcluded;
      return (base + (dw * (x - means[i]!)) / (means[i + 1]! - means[i]!)) / total;
    }
    weightSoFar += weights[i]!;
  }
  // x equals the last mean (and possibly a run of equal means ending there).
  let dw = 0;
  let j = n - 1;
  for (; j >= 0 && means[j] === x; j--) dw += weights[j]!;
  return (total - dw / 2) / total;
}
