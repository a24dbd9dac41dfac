import { TDigest } from '@streammetrics/tdigest';

/** One input window of a series (a final 1m window, or an hourly rollup for the daily). */
export interface RollupInput {
  serviceId: string;
  metricName: string;
  tagsHash: string;
  tags: Record<string, string>;
  start: number;
  count: number;
  sum: number;
  min: number;
  max: number;
  streamTime: number;
  digest: Uint8Array | null;
}

export interface RollupRow {
  serviceId: string;
  metricName: string;
  tagsHash: string;
  tags: Record<string, string>;
  start: number;
  end: number;
  count: number;
  sum: number;
  avg: number;
  min: number;
  max: number;
  rate: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  digest: Buffer | null;
  streamTime: number;
}

/**
 * Folds one series' windows (ascending start) into one bucket. Count, sum, min and max are exact
 * (summed in start order, so a re-run gives identical bytes); percentiles come from the merged
 * digests. A digest that cannot be read (it passed the sink's check, so this means a damaged row)
 * is left out of the percentiles but its exact statistics still count.
 */
export function mergeSeries(
  inputs: readonly RollupInput[],
  bucketStart: number,
  bucketMs: number,
): RollupRow {
  const first = inputs[0];
  if (!first) throw new Error('mergeSeries: no inputs');
  let count = 0;
  let sum = 0;
  let min = Infinity;
  let max = -Infinity;
  let streamTime = 0;
  const digests: TDigest[] = [];
  for (const w of inputs) {
    count += w.count;
    sum += w.sum;
    if (w.min < min) min = w.min;
    if (w.max > max) max = w.max;
    if (w.streamTime > streamTime) streamTime = w.streamTime;
    if (w.digest) {
      try {
        digests.push(TDigest.fromBytes(w.digest));
      } catch {
        // see the doc comment: exact fields still count
      }
    }
  }
  const merged = digests.length > 0 ? TDigest.mergeAll(digests) : null;
  const [p50, p95, p99] =
    merged && merged.count > 0 ? merged.quantiles([0.5, 0.95, 0.99]) : [null, null, null];
  return {
    serviceId: first.serviceId,
    metricName: first.metricName,
    tagsHash: first.tagsHash,
    tags: first.tags,
    start: bucketStart,
    end: bucketStart + bucketMs,
    count,
    sum,
    avg: count > 0 ? sum / count : 0,
    min,
    max,
    rate: count / (bucketMs / 1000),
    p50: p50 ?? null,
    p95: p95 ?? null,
    p99: p99 ?? null,
    digest: merged ? Buffer.from(merged.toBytes()) : null,
    streamTime,
  };
}

/** Splits rows sorted by (service, metric, tags hash, start) into per-series runs. */
export function groupBySeries(rows: readonly RollupInput[]): RollupInput[][] {
  const out: RollupInput[][] = [];
  let run: RollupInput[] = [];
  for (const r of rows) {
    const prev = run[0];
    if (
      prev &&
      (prev.serviceId !== r.serviceId || prev.metricName !== r.metricName || prev.tagsHash !== r.tagsHash)
    ) {
      out.push(run);
      run = [];
    }
    run.push(r);
  }
  if (run.length > 0) out.push(run);
  return out;
}
