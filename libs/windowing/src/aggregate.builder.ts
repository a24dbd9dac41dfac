import type { AggregateRecord, WindowSpec } from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';
import type { Series, Slice } from './slice.state';

const QUANTILES = [0.5, 0.95, 0.99] as const;

/**
 * The window digest of the aggregate being built. It lives only inside buildAggregate (the record
 * carries its quantiles and bytes), so one reset digest serves every record instead of a new digest
 * and its centroid arrays per output; reset() makes the result the same as a fresh digest's.
 */
let windowDigest: TDigest | undefined;

/**
 * One window result assembled from its slices (ascending start, at least one). Count, sum, min and
 * max are folded from the slices' exact statistics (summed slice by slice, in start order, so the
 * result does not depend on the digest merge); percentiles come from the merged digest.
 * emittedAt is left 0 for the caller: a final is computed when its window closes (so its content
 * cannot depend on when collect() runs) but stamped when it is actually emitted.
 */
export function buildAggregate(
  series: Series,
  spec: WindowSpec,
  start: number,
  slices: readonly Slice[],
  streamTime: number,
  final: boolean,
  compression: number,
): AggregateRecord {
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  const digests: TDigest[] = [];
  for (const s of slices) {
    const d = s.digest;
    count += d.count;
    sum += d.sum;
    if (d.min < min) min = d.min;
    if (d.max > max) max = d.max;
    digests.push(d);
  }
  if (windowDigest === undefined || windowDigest.compression !== compression)
    windowDigest = new TDigest({ compression });
  const merged = windowDigest.reset().merge(...digests);
  const [p50, p95, p99] = merged.quantiles(QUANTILES) as [number, number, number];
  return {
    serviceId: series.group.serviceId,
    metricName: series.group.metricName,
    tags: series.tags,
    window: { type: spec.type, size: spec.size, start, end: start + spec.sizeMs },
    count,
    sum,
    min,
    max,
    avg: sum / count,
    rate: count / (spec.sizeMs / 1000),
    p50,
    p95,
    p99,
    digest: merged.toBase64(),
    final,
    streamTime,
    emittedAt: 0,
  };
}
