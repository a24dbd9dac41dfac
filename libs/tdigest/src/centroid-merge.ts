import { K2 } from './scale-function';

/**
 * One merge pass of the MergingDigest: walks centroids sorted by mean (forward, or backward when
 * `backwards`) and folds each into the current output centroid while the K_2 weight limit allows,
 * writing the result sorted ascending into `outMeans`/`outWeights`. Returns the output count.
 *
 * The limit is the reference "weight limit" form: a centroid spanning quantiles [q0, q2] may hold at
 * most n * min(max(q0), max(q2)), checked at both ends so no centroid straddles a steep part of the
 * scale. The first two and the last input are never folded, so the extremes stay singletons and
 * the tails interpolate toward the exact min and max.
 */
export function mergeSortedCentroids(
  inMeans: Float64Array,
  inWeights: Float64Array,
  n: number,
  totalWeight: number,
  compression: number,
  backwards: boolean,
  outMeans: Float64Array,
  outWeights: Float64Array,
): number {
  if (n === 0) return 0;
  const normalizer = K2.normalizer(compression, totalWeight);
  const first = backwards ? n - 1 : 0;
  const step = backwards ? -1 : 1;
  let last = 0;
  outMeans[0] = inMeans[first]!;
  outWeights[0] = inWeights[first]!;
  let weightSoFar = 0;
  for (let k = 1, ix = first + step; k < n; k++, ix += step) {
    const w = inWeights[ix]!;
    const proposed = outWeights[last]! + w;
    let fold = false;
    if (k !== 1 && k !== n - 1) {
      const q0 = weightSoFar / totalWeight;
      const q2 = (weightSoFar + proposed) / totalWeight;
      const limit = Math.min(K2.maxWeightFraction(q0, normalizer), K2.maxWeightFraction(q2, normalizer));
      fold = proposed <= totalWeight * limit;
    }
    if (fold) {
      outWeights[last] = proposed;
      outMeans[last] = outMeans[last]! + ((inMeans[ix]! - outMeans[last]!) * w) / proposed;
    } else {
      weightSoFar += outWeights[last]!;
      last++;
      outMeans[last] = inMeans[ix]!;
      outWeights[last] = w;
    }
  }
  const count = last + 1;
  if (backwards) {
    outMeans.subarray(0, count).reverse();
    outWeights.subarray(0, count).reverse();
  }
  return count;
}
