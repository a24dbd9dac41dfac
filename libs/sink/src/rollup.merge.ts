import type { WindowStats } from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';
import { mergeDigests, TotalsFold, windowStats } from '@streammetrics/windowing';

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

export interface RollupRow extends WindowStats {
  serviceId: string;
  metricName: string;
  tagsHash: string;
  tags: Record<string, string>;
  start: number;
  end: number;
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
  const totals = new TotalsFold();
  let streamTime = 0;
  const digests: TDigest[] = [];
  for (const w of inputs) {
    totals.add(w);
    if (w.streamTime > streamTime) streamTime = w.streamTime;
    if (w.digest) {
      try {
        digests.push(TDigest.fromBytes(w.digest));
      } catch {
        // see the doc comment: exact fields still count
      }
    }
  }
  const merged = mergeDigests(digests);
  return {
    serviceId: first.serviceId,
    metricName: first.metricName,
    tagsHash: first.tagsHash,
    tags: first.tags,
    start: bucketStart,
    end: bucketStart + bucketMs,
    ...windowStats(totals, bucketMs, merged),
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
