import { TDigestDecodeError } from './tdigest.errors';

export const MIN_COMPRESSION = 10;
export const MAX_COMPRESSION = 100_000;

/** What the wire formats carry: exact summary statistics plus sorted centroids. */
export interface DigestState {
  compression: number;
  count: number;
  sum: number;
  /** NaN for an empty digest. */
  min: number;
  max: number;
  means: Float64Array;
  weights: Float64Array;
}

/**
 * Rejects a decoded state that no digest could have produced. The checks are cheap and catch what a
 * checksum cannot (a JSON form written by hand, an encoder bug), so garbage never reaches a query.
 */
export function assertValidState(s: DigestState): void {
  const fail = (why: string): never => {
    throw new TDigestDecodeError(why);
  };
  if (!(s.compression >= MIN_COMPRESSION && s.compression <= MAX_COMPRESSION)) {
    fail(`compression ${s.compression} outside [${MIN_COMPRESSION}, ${MAX_COMPRESSION}]`);
  }
  if (!(Number.isFinite(s.count) && s.count >= 0)) fail(`count ${s.count} is not a finite weight`);
  const n = s.means.length;
  if (s.weights.length !== n) fail('means and weights differ in length');
  if (s.count === 0) {
    if (n !== 0) fail('empty digest with centroids');
    if (s.sum !== 0 || !Number.isNaN(s.min) || !Number.isNaN(s.max)) fail('empty digest with statistics');
    return;
  }
  if (n === 0) fail(`count ${s.count} but no centroids`);
  if (!(Number.isFinite(s.min) && Number.isFinite(s.max) && s.min <= s.max)) {
    fail(`min ${s.min} / max ${s.max} invalid`);
  }
  let weight = 0;
  for (let i = 0; i < n; i++) {
    const m = s.means[i]!;
    const w = s.weights[i]!;
    if (!(m >= s.min && m <= s.max)) fail(`centroid ${i} mean ${m} outside [min, max]`);
    if (i > 0 && m < s.means[i - 1]!) fail(`centroid ${i} out of order`);
    if (!(w > 0 && Number.isFinite(w))) fail(`centroid ${i} weight ${w} invalid`);
    weight += w;
  }
  // Integer weights sum exactly; fractional ones may differ from count by rounding only.
  if (Math.abs(weight - s.count) > s.count * 1e-9) fail(`centroid weights ${weight} != count ${s.count}`);
}
