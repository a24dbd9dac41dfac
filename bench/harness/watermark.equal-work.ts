import {
  WINDOW_SPECS,
  canonicalTags,
  type AggregateRecord,
  type MetricEvent,
} from '@streammetrics/contracts';
import type { BenchKafka } from './bench.kafka';
import { checkFinals, type EqualWorkReport } from './equal-work';
import { FLUSH_SERVICE } from './input';
import { aggregateKey, windowKey, type WindowTotals } from './reference';

/**
 * Per window (windowKey), how many events the exact computation's rule left out of it: events of
 * the window that arrived when their partition's stream time was already >= end + grace (series and
 * rollup counted alike, as in ReferenceAggregator).
 *
 * Why a system with Flink's watermark needs this: its watermark is the minimum over all input
 * partitions, and it is generated every auto-watermark interval, so it never runs ahead of a
 * partition's stream time but can lag it by the skew between partitions. Such a system therefore
 * accepts every event the per-partition rule accepts, plus possibly some of the ones it leaves out:
 * a window's count lies in [exact count, exact count + dropped].
 */
export class StreamTimeDrops {
  readonly dropped = new Map<string, number>();
  private readonly streamTime = new Map<number, number>();

  constructor(private readonly graceMs: number) {}

  add(partition: number, e: Pick<MetricEvent, 'timestamp' | 'serviceId' | 'metricName' | 'tags'>): void {
    const st = this.streamTime.get(partition) ?? -Infinity;
    const tags = canonicalTags(e.tags);
    const rollup = Object.keys(tags).length > 0;
    for (const spec of WINDOW_SPECS) {
      const latest = e.timestamp - (e.timestamp % spec.advanceMs);
      for (let start = latest; start > e.timestamp - spec.sizeMs && start >= 0; start -= spec.advanceMs) {
        if (st < start + spec.sizeMs + this.graceMs) continue;
        this.bump(windowKey(spec.id, start, e.serviceId, e.metricName, tags));
        if (rollup) this.bump(windowKey(spec.id, start, e.serviceId, e.metricName, {}));
      }
    }
    if (e.timestamp > st) this.streamTime.set(partition, e.timestamp);
  }

  private bump(key: string): void {
    this.dropped.set(key, (this.dropped.get(key) ?? 0) + 1);
  }
}

/** Reads the input topic back (partition order) and counts what the per-partition rule drops. */
export async function droppedByStreamTime(
  bk: BenchKafka,
  topic: string,
  graceMs: number,
): Promise<Map<string, number>> {
  const drops = new StreamTimeDrops(graceMs);
  await bk.readAll([topic], (_t, partition, value) => {
    if (value) drops.add(partition, JSON.parse(value.toString('utf8')) as MetricEvent);
  });
  return drops.dropped;
}

/**
 * The equal-work check for a watermark-based system: every closed window exactly one final; where
 * the system counted exactly the events the per-partition rule counts, the same exact check as
 * everyone's (count, sum, min, max, percentiles within rank error); where it counted more, the
 * extra must be events the rule dropped (count within [exact, exact + dropped], min <= exact min,
 * max >= exact max). Those windows are reported in `note`, not hidden; they are not `matched`.
 */
export function checkWatermarkFinals(
  system: string,
  finals: AggregateRecord[],
  undecodable: number,
  reference: Map<string, WindowTotals>,
  dropped: Map<string, number>,
): EqualWorkReport {
  const byKey = new Map<string, AggregateRecord[]>();
  for (const r of finals) {
    if (r.serviceId === FLUSH_SERVICE) continue;
    const key = aggregateKey(r);
    const list = byKey.get(key);
    if (list) list.push(r);
    else byKey.set(key, [r]);
  }
  const exactReference = new Map<string, WindowTotals>();
  const exactFinals: AggregateRecord[] = [];
  const wrong: string[] = [];
  const duplicated: string[] = [];
  let moreThanExact = 0;
  for (const [key, want] of reference) {
    const got = byKey.get(key);
    const extra = dropped.get(key) ?? 0;
    const r = got?.[0];
    if (!got || !r || extra === 0 || r.count === want.count) {
      exactReference.set(key, want);
      exactFinals.push(...(got ?? []));
      continue;
    }
    if (got.length > 1) duplicated.push(`${key} (${got.length} finals)`);
    if (r.count < want.count || r.count > want.count + extra || r.min > want.min || r.max < want.max) {
      wrong.push(
        `${key}: count ${r.count} outside [${want.count}, ${want.count + extra}] or min ${r.min} > ${want.min} or max ${r.max} < ${want.max}`,
      );
    } else moreThanExact++;
  }
  let droppedOnly = 0;
  for (const [key, got] of byKey) {
    if (reference.has(key)) continue;
    // A window whose every event the rule dropped has no exact total; its final may exist here.
    const r = got[0];
    if (got.length === 1 && r && r.count <= (dropped.get(key) ?? 0)) droppedOnly++;
    else exactFinals.push(...got);
  }
  const exact = checkFinals(system, exactFinals, undecodable, exactReference);
  return {
    ...exact,
    expectedWindows: reference.size,
    wrong: [...exact.wrong, ...wrong],
    duplicated: [...exact.duplicated, ...duplicated],
    ok: exact.ok && wrong.length + duplicated.length === 0,
    note:
      `watermark (minimum over partitions): ${moreThanExact} windows also counted events that per-partition stream time drops, within the bound` +
      (droppedOnly > 0 ? `; ${droppedOnly} finals for windows holding only such events` : ''),
  };
}
