/**
 * A t-digest scale function, in the normalised form of Dunning's MergingDigest: `max(q)` is the
 * largest fraction of the total weight a centroid sitting at quantile q may hold.
 */
export interface ScaleFunction {
  normalizer(compression: number, totalWeight: number): number;
  maxWeightFraction(q: number, normalizer: number): number;
}

/**
 * K_2 (the reference default): k(q) = log(q / (1 - q)) scaled by Z(n). Centroid size shrinks like
 * q(1 - q) toward both tails, which is what keeps p99 and p99.9 tight. The n/compression ratio is
 * floored at 1 so that tiny (or fractional) total weights cannot turn Z negative.
 */
export const K2: ScaleFunction = {
  normalizer(compression, totalWeight) {
    return compression / (4 * Math.log(Math.max(totalWeight / compression, 1)) + 24);
  },
  maxWeightFraction(q, normalizer) {
    return (q * (1 - q)) / normalizer;
  },
};
