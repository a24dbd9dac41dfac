import type { AggregateRecord, WindowSpec } from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';
import type { Series, Slice } from './slice.state';
import { filledWindowStats, TotalsFold } from './window.stats';

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
  const totals = new TotalsFold();
  const digests: TDigest[] = [];
  for (const s of slices) {
    totals.add(s.digest);
    digests.push(s.digest);
  }
  if (windowDigest === undefined || windowDigest.compression !== compression)
    windowDigest = new TDigest({ compression });
  const merged = windowDigest.reset().merge(...digests);
  return {
    serviceId: series.group.serviceId,
    metricName: series.group.metricName,
    tags: series.tags,
    window: { type: spec.type, size: spec.size, start, end: start + spec.sizeMs },
    ...filledWindowStats(totals, spec.sizeMs, merged),
    digest: merged.toBase64(),
    final,
    streamTime,
    emittedAt: 0,
  };
}
