import { DDSketch } from '@datadog/sketches-js';
import { TDigest } from '@streammetrics/tdigest';
import { TDigest as NpmTDigest } from 'tdigest';
import { seededUniform } from './datasets';

/** What the bench needs from each sketch it compares. */
export interface Peer<S> {
  readonly name: string;
  readonly bytesNote: string;
  create(): S;
  addRange(sketch: S, values: Float64Array, from: number, to: number): void;
  /** The slice as the query path would see it after storage (identity when there is no compact form). */
  roundTrip(sketch: S): S;
  mergeAll(parts: S[]): S;
  quantiles(sketch: S, qs: readonly number[]): number[];
  bytes(sketch: S): number;
  centroids(sketch: S): number | null;
}

export const ours: Peer<TDigest> = {
  name: 'ours',
  bytesNote: 'toBytes()',
  create: () => new TDigest({ compression: 100 }),
  addRange(d, values, from, to) {
    for (let i = from; i < to; i++) d.add(values[i]!);
  },
  roundTrip: (d) => TDigest.fromBytes(d.toBytes()),
  mergeAll: (parts) => TDigest.mergeAll(parts, { compression: 100 }),
  quantiles: (d, qs) => d.quantiles(qs),
  bytes: (d) => d.toBytes().length,
  centroids: (d) => d.centroidCount,
};

/**
 * npm `tdigest` 0.1.3 (delta 0.01, i.e. compression 100). Its compress() shuffles with Math.random,
 * so every call runs under a seeded Math.random to keep the bench reproducible.
 */
export const npmTdigest: Peer<NpmTDigest> = {
  name: 'npm tdigest',
  bytesNote: 'JSON of toArray() (no binary form)',
  create: () => new NpmTDigest(0.01),
  addRange(d, values, from, to) {
    withSeededRandom(() => {
      for (let i = from; i < to; i++) d.push(values[i]!);
    });
  },
  roundTrip: (d) => d,
  mergeAll(parts) {
    return withSeededRandom(() => {
      const merged = new NpmTDigest(0.01);
      for (const p of parts) merged.push_centroid(p.toArray());
      merged.compress();
      return merged;
    });
  },
  quantiles: (d, qs) => qs.map((q) => d.percentile(q)),
  bytes: (d) => JSON.stringify(d.toArray()).length,
  centroids: (d) => d.size(),
};

/** DDSketch with 1% relative accuracy: a different sketch, here for the value-error comparison. */
export const ddsketch: Peer<DDSketch> = {
  name: 'DDSketch',
  bytesNote: 'toProto()',
  create: () => new DDSketch({ relativeAccuracy: 0.01 }),
  addRange(s, values, from, to) {
    for (let i = from; i < to; i++) s.accept(values[i]!);
  },
  roundTrip: (s) => DDSketch.fromProto(s.toProto()),
  mergeAll(parts) {
    const merged = new DDSketch({ relativeAccuracy: 0.01 });
    for (const p of parts) merged.merge(p);
    return merged;
  },
  quantiles: (s, qs) => qs.map((q) => s.getValueAtQuantile(q)),
  bytes: (s) => s.toProto().length,
  centroids: () => null,
};

function withSeededRandom<T>(run: () => T): T {
  const original = Math.random;
  Math.random = seededUniform(99);
  try {
    return run();
  } finally {
    Math.random = original;
  }
}
