import { sortCentroids } from './centroid-sort';
import { mergeSortedCentroids } from './centroid-merge';
import { decodeDigest, encodeDigest } from './tdigest.codec';
import { TDigestDecodeError } from './tdigest.errors';
import { digestFromJson, digestToJson, type DigestJson } from './tdigest.json-codec';
import { estimateCdf, estimateQuantiles, type CentroidView } from './tdigest.quantile';
import { MAX_COMPRESSION, MIN_COMPRESSION, type DigestState } from './tdigest.state';

export interface TDigestOptions {
  /** Accuracy knob (the reference's delta); roughly the number of centroids kept. Default 100. */
  compression?: number;
}

const DEFAULT_COMPRESSION = 100;
/** Small on purpose: a stream processor holds ~10^5 slice digests that each see a handful of values. */
const INITIAL_CAPACITY = 4;
/**
 * Encoding a digest holding at most this many buffered values computes its centroids in scratch
 * space and leaves the digest as it is. A slice digest is encoded for the changelog at every commit;
 * merging its few values into centroids there would allocate two centroid arrays per digest for
 * nothing (the window digests merged from it read the raw values just as well). Above the limit the
 * buffer is merged for good, so repeated encodes do not keep re-sorting a large buffer.
 */
const RAW_ENCODE_LIMIT = 64;
/**
 * Two-level compression, as in the reference (which uses 2x): centroids live at a higher compression
 * between merges and are only reduced for the wire, so repeated buffer flushes and merges of many
 * digests do not compound the error. 4x measured about half the reference's rank error in the middle
 * quantiles (bench/tdigest) for ~300 in-memory centroids on a large digest; small digests never get
 * near that many.
 */
const INTERNAL_COMPRESSION_FACTOR = 4;
/**
 * The wire form keeps centroids at 2x the public compression: the varint/float32 encoding spends
 * about 6 bytes per centroid, so this still fits 1 KB at compression 100 while merged slices keep
 * more detail than the reference (which reduces to the public compression before merging).
 */
const WIRE_COMPRESSION_FACTOR = 2;
/** The reference sizes its buffer at 5x the centroid capacity (2 * compression + 10). */
const BUFFER_FACTOR = 5;
const EMPTY = new Float64Array(0);
/** Shared and never written: a digest's first add() finds it full and allocates its own buffer. */
const NO_VALUES: number[] = [];
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/*
 * Sort-and-merge work space shared by every digest. JavaScript is single threaded and no merge calls
 * out while it runs, so one set serves all digests instead of each carrying its own.
 */
let scratchMeans = EMPTY;
let scratchWeights = EMPTY;
let outMeans = EMPTY;
let outWeights = EMPTY;
/** The buffered values sort here: a typed array sorts numbers without a comparator. */
let sortValues = EMPTY;
let sortWeights = EMPTY;

function ensureScratch(n: number): void {
  if (scratchMeans.length >= n) return;
  const size = Math.max(n, scratchMeans.length * 2, 1024);
  scratchMeans = new Float64Array(size);
  scratchWeights = new Float64Array(size);
  outMeans = new Float64Array(size);
  outWeights = new Float64Array(size);
  sortValues = new Float64Array(size);
  sortWeights = new Float64Array(size);
}

/**
 * A merging t-digest (Dunning's MergingDigest with the K_2 scale function): values are buffered and
 * periodically sorted and merged into centroids whose size shrinks toward both tails. Count, sum,
 * min and max are tracked exactly; quantiles and cdf are estimated from the centroids.
 */
export class TDigest {
  readonly compression: number;

  private means = EMPTY;
  private weights = EMPTY;
  private centroids = 0;
  private centroidWeight = 0;

  /**
   * A plain array, not a Float64Array: a typed array costs ~190 bytes of heap before its first
   * element, more than the handful of values most slice digests ever hold. V8 keeps it unboxed
   * (double elements); sorting happens on a typed-array copy (see sortBufferInto).
   */
  private buffer = NO_VALUES;
  /** Stays null while every buffered value has weight 1, so the hot path sorts a plain array. */
  private bufferWeights: Float64Array | null = null;
  private buffered = 0;
  private bufferedWeight = 0;

  private total = 0;
  private totalSum = 0;
  private lowest = Infinity;
  private highest = -Infinity;
  /** Odd passes run right to left, as in the reference, so merging has no directional bias. */
  private passes = 0;

  constructor(opts: TDigestOptions = {}) {
    const compression = opts.compression ?? DEFAULT_COMPRESSION;
    if (!(compression >= MIN_COMPRESSION && compression <= MAX_COMPRESSION)) {
      throw new RangeError(
        `t-digest: compression must be in [${MIN_COMPRESSION}, ${MAX_COMPRESSION}], got ${compression}`,
      );
    }
    this.compression = compression;
  }

  // Derived rather than stored: four fewer fields on each of ~10^5 slice digests.
  private get internalCompression(): number {
    return INTERNAL_COMPRESSION_FACTOR * this.compression;
  }

  private get wireCompression(): number {
    return WIRE_COMPRESSION_FACTOR * this.compression;
  }

  private get bufferLimit(): number {
    return BUFFER_FACTOR * Math.ceil(2 * this.compression + 10);
  }

  get count(): number {
    return this.total;
  }

  get sum(): number {
    return this.totalSum;
  }

  /** Exact smallest value added; NaN when empty. */
  get min(): number {
    return this.total === 0 ? NaN : this.lowest;
  }

  /** Exact largest value added; NaN when empty. */
  get max(): number {
    return this.total === 0 ? NaN : this.highest;
  }

  get centroidCount(): number {
    this.flush();
    return this.centroids;
  }

  /** Adds `value` with `weight` (default 1). Throws RangeError for non-finite values or weight <= 0. */
  add(value: number, weight = 1): void {
    if (!Number.isFinite(value)) throw new RangeError(`t-digest: value must be finite, got ${value}`);
    if (weight !== 1) this.checkWeight(weight);
    this.push(value, weight);
  }

  /** Adds every value with weight 1; validates all first so a bad value adds nothing. */
  addMany(values: ArrayLike<number>): void {
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]))
        throw new RangeError(`t-digest: values[${i}] must be finite, got ${values[i]}`);
    }
    for (let i = 0; i < values.length; i++) this.push(values[i]!, 1);
  }

  /** Merges `others` into this digest (they are left unchanged) in one sort-and-merge pass. */
  merge(...others: TDigest[]): this {
    const sources: TDigest[] = [];
    let n = this.centroids + this.buffered;
    for (const other of others) {
      if (!(other instanceof TDigest)) throw new TypeError('t-digest: merge() takes TDigest instances');
      if (other.total === 0) continue;
      const source = other === this ? this.clone() : other;
      sources.push(source);
      n += source.centroids + source.buffered;
    }
    if (sources.length === 0) return this;
    ensureScratch(n);
    let used = this.copyInto(0);
    let weight = this.centroidWeight + this.bufferedWeight;
    for (const s of sources) {
      used = s.copyInto(used);
      weight += s.centroidWeight + s.bufferedWeight;
      this.total += s.total;
      this.totalSum += s.totalSum;
      if (s.lowest < this.lowest) this.lowest = s.lowest;
      if (s.highest > this.highest) this.highest = s.highest;
    }
    if (!Number.isFinite(this.total)) throw new RangeError('t-digest: merged count overflows');
    sortCentroids(scratchMeans, scratchWeights, 0, used);
    this.buffered = 0;
    this.bufferedWeight = 0;
    this.bufferWeights = null;
    this.mergeScratch(used, weight, this.internalCompression);
    return this;
  }

  /**
   * Empties the digest but keeps its arrays, so one digest can serve many short-lived merges
   * without allocating. Afterwards it behaves exactly like a new digest of the same compression.
   */
  reset(): this {
    this.centroids = 0;
    this.centroidWeight = 0;
    this.buffered = 0;
    this.bufferedWeight = 0;
    this.bufferWeights = null;
    this.total = 0;
    this.totalSum = 0;
    this.lowest = Infinity;
    this.highest = -Infinity;
    this.passes = 0;
    return this;
  }

  static mergeAll(digests: readonly TDigest[], opts: TDigestOptions = {}): TDigest {
    const compression = opts.compression ?? digests[0]?.compression ?? DEFAULT_COMPRESSION;
    return new TDigest({ compression }).merge(...digests);
  }

  /** Estimated value at quantile q in [0, 1]; NaN for an empty digest. */
  quantile(q: number): number {
    checkQuantile(q);
    const out = [0];
    estimateQuantiles(this.view(), [q], [0], out);
    return out[0]!;
  }

  /** Several quantiles in one pass over the centroids, returned in the order asked. */
  quantiles(qs: readonly number[]): number[] {
    let ascending = true;
    for (let i = 0; i < qs.length; i++) {
      checkQuantile(qs[i]!);
      if (i > 0 && qs[i]! < qs[i - 1]!) ascending = false;
    }
    const order = qs.map((_, i) => i);
    if (!ascending) order.sort((a, b) => qs[a]! - qs[b]!);
    const out = new Array<number>(qs.length);
    estimateQuantiles(this.view(), qs, order, out);
    return out;
  }

  /** Estimated fraction of the weight at or below x; NaN for an empty digest. */
  cdf(x: number): number {
    if (Number.isNaN(x)) throw new RangeError('t-digest: cdf(NaN)');
    return estimateCdf(this.view(), x);
  }

  /** Reduces the centroids to what the wire formats carry (2x the public compression). */
  compress(): void {
    this.flush();
    const n = this.wireCentroids();
    this.adopt(outMeans, outWeights, n);
  }

  clone(): TDigest {
    const copy = new TDigest({ compression: this.compression });
    copy.means = this.means.slice(0, this.centroids);
    copy.weights = this.weights.slice(0, this.centroids);
    copy.centroids = this.centroids;
    copy.centroidWeight = this.centroidWeight;
    copy.buffer = this.buffer.slice(
      0,
      Math.max(this.buffered, Math.min(INITIAL_CAPACITY, this.buffer.length)),
    );
    copy.bufferWeights = this.bufferWeights && this.bufferWeights.slice(0, copy.buffer.length);
    copy.buffered = this.buffered;
    copy.bufferedWeight = this.bufferedWeight;
    copy.total = this.total;
    copy.totalSum = this.totalSum;
    copy.lowest = this.lowest;
    copy.highest = this.highest;
    copy.passes = this.passes;
    return copy;
  }

  /** Versioned compact binary form; deterministic, and does not change this digest. */
  toBytes(): Uint8Array {
    return encodeDigest(this.state());
  }

  static fromBytes(bytes: Uint8Array): TDigest {
    return TDigest.fromState(decodeDigest(bytes));
  }

  toBase64(): string {
    const bytes = this.toBytes();
    // A view over the encoded bytes, not Buffer.from(bytes), which would copy them first.
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');
  }

  static fromBase64(s: string): TDigest {
    // Buffer.from(…, 'base64') skips characters it does not know; a damaged string must fail instead.
    if (typeof s !== 'string' || !BASE64.test(s)) throw new TDigestDecodeError('not canonical base64');
    const b = Buffer.from(s, 'base64');
    return TDigest.fromBytes(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
  }

  toJSON(): DigestJson {
    return digestToJson(this.state());
  }

  static fromJSON(o: unknown): TDigest {
    return TDigest.fromState(digestFromJson(o));
  }

  private static fromState(s: DigestState): TDigest {
    const d = new TDigest({ compression: s.compression });
    d.adopt(s.means, s.weights, s.means.length);
    d.total = s.count;
    d.totalSum = s.sum;
    if (s.count > 0) {
      d.lowest = s.min;
      d.highest = s.max;
    }
    return d;
  }

  private checkWeight(weight: number): void {
    if (!(weight > 0 && Number.isFinite(weight))) {
      throw new RangeError(`t-digest: weight must be finite and > 0, got ${weight}`);
    }
    if (!Number.isFinite(this.total + weight)) throw new RangeError('t-digest: count would overflow');
  }

  private push(value: number, weight: number): void {
    if (this.buffered === this.buffer.length) this.makeRoom();
    const i = this.buffered;
    if (weight !== 1 && this.bufferWeights === null)
      this.bufferWeights = new Float64Array(this.buffer.length).fill(1);
    this.buffer[i] = value;
    if (this.bufferWeights !== null) this.bufferWeights[i] = weight;
    this.buffered = i + 1;
    this.bufferedWeight += weight;
    this.total += weight;
    this.totalSum += value * weight;
    if (value < this.lowest) this.lowest = value;
    if (value > this.highest) this.highest = value;
  }

  /** Grows the buffer geometrically up to the reference size, then merges it into the centroids. */
  private makeRoom(): void {
    const capacity = this.buffer.length;
    if (capacity >= this.bufferLimit) {
      this.flush();
      return;
    }
    const grown = Math.min(Math.max(INITIAL_CAPACITY, capacity * 2), this.bufferLimit);
    const buffer = new Array<number>(grown);
    for (let i = 0; i < this.buffered; i++) buffer[i] = this.buffer[i] as number;
    this.buffer = buffer;
    if (this.bufferWeights !== null) {
      const weights = new Float64Array(grown).fill(1);
      weights.set(this.bufferWeights.subarray(0, this.buffered));
      this.bufferWeights = weights;
    }
  }

  /** Merges buffered values into the centroids at the internal compression. */
  private flush(): void {
    if (this.buffered === 0) return;
    const k = this.mergeBufferIntoScratch();
    const weight = this.centroidWeight + this.bufferedWeight;
    this.buffered = 0;
    this.bufferedWeight = 0;
    this.bufferWeights = null;
    this.mergeScratch(k, weight, this.internalCompression);
  }

  /**
   * Sorts the buffered values and merges them with the centroids into the scratch arrays; returns
   * the count. Leaves the digest itself unchanged.
   */
  private mergeBufferIntoScratch(): number {
    const nb = this.buffered;
    const nc = this.centroids;
    ensureScratch(nb + nc);
    const values = sortValues;
    const buffer = this.buffer;
    for (let j = 0; j < nb; j++) values[j] = buffer[j] as number;
    let bw: Float64Array | null = null;
    if (this.bufferWeights === null) {
      values.subarray(0, nb).sort();
    } else {
      bw = sortWeights;
      bw.set(this.bufferWeights.subarray(0, nb));
      sortCentroids(values, bw, 0, nb);
    }
    // Centroids are already sorted: a linear two-way merge beats re-sorting them every flush.
    const means = this.means;
    const weights = this.weights;
    let i = 0;
    let j = 0;
    let k = 0;
    while (i < nc && j < nb) {
      if (means[i]! <= values[j]!) {
        scratchMeans[k] = means[i]!;
        scratchWeights[k++] = weights[i++]!;
      } else {
        scratchMeans[k] = values[j]!;
        scratchWeights[k++] = bw === null ? 1 : bw[j]!;
        j++;
      }
    }
    for (; i < nc; i++, k++) {
      scratchMeans[k] = means[i]!;
      scratchWeights[k] = weights[i]!;
    }
    for (; j < nb; j++, k++) {
      scratchMeans[k] = values[j]!;
      scratchWeights[k] = bw === null ? 1 : bw[j]!;
    }
    return k;
  }

  private mergeScratch(n: number, weight: number, compression: number): void {
    const backwards = (this.passes & 1) === 1;
    this.passes++;
    const count = mergeSortedCentroids(
      scratchMeans,
      scratchWeights,
      n,
      weight,
      compression,
      backwards,
      outMeans,
      outWeights,
    );
    this.adopt(outMeans, outWeights, count);
  }

  /** Copies centroids and buffered values into the scratch arrays from `at`; returns the new end. */
  private copyInto(at: number): number {
    scratchMeans.set(this.means.subarray(0, this.centroids), at);
    scratchWeights.set(this.weights.subarray(0, this.centroids), at);
    let k = at + this.centroids;
    const buffer = this.buffer;
    for (let j = 0; j < this.buffered; j++) scratchMeans[k + j] = buffer[j] as number;
    if (this.bufferWeights !== null) scratchWeights.set(this.bufferWeights.subarray(0, this.buffered), k);
    else scratchWeights.fill(1, k, k + this.buffered);
    k += this.buffered;
    return k;
  }

  private adopt(means: Float64Array, weights: Float64Array, n: number): void {
    if (this.means.length < n) {
      const capacity = Math.max(n, INITIAL_CAPACITY, Math.min(this.means.length * 2, this.bufferLimit));
      this.means = new Float64Array(capacity);
      this.weights = new Float64Array(capacity);
    }
    this.means.set(means.subarray(0, n));
    this.weights.set(weights.subarray(0, n));
    this.centroids = n;
    let w = 0;
    for (let i = 0; i < n; i++) w += weights[i]!;
    this.centroidWeight = w;
  }

  /** Writes the centroids reduced to the wire compression into the out scratch; returns the count. */
  private wireCentroids(): number {
    if (this.buffered > RAW_ENCODE_LIMIT) this.flush();
    let means = this.means;
    let weights = this.weights;
    let n = this.centroids;
    ensureScratch(n);
    if (this.buffered > 0) {
      // The few buffered values (RAW_ENCODE_LIMIT) go into the wire reduction directly, in
      // scratch space, leaving the digest as it is: one pass instead of a flush and a reduction.
      n = this.mergeBufferIntoScratch();
      means = scratchMeans;
      weights = scratchWeights;
    }
    // Always left to right: a fixed direction makes the reduction idempotent, so decode→encode
    // reproduces the same bytes.
    const weight = this.centroidWeight + this.bufferedWeight;
    return mergeSortedCentroids(means, weights, n, weight, this.wireCompression, false, outMeans, outWeights);
  }

  private state(): DigestState {
    const n = this.wireCentroids();
    return {
      compression: this.compression,
      count: this.total,
      sum: this.totalSum,
      min: this.min,
      max: this.max,
      means: outMeans.subarray(0, n),
      weights: outWeights.subarray(0, n),
    };
  }

  private view(): CentroidView {
    this.flush();
    return {
      means: this.means,
      weights: this.weights,
      n: this.centroids,
      totalWeight: this.centroidWeight,
      min: this.lowest,
      max: this.highest,
    };
  }
}

function checkQuantile(q: number): void {
  if (!(q >= 0 && q <= 1)) throw new RangeError(`t-digest: q must be in [0, 1], got ${q}`);
}
