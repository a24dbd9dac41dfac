import { Inject, Injectable } from '@nestjs/common';
import { tagsKey } from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';
import { CLOCK, type Clock } from './clock';
import type { TagSelector } from './cold-store.repository';
import type { SummaryQuery } from './query.dto';
import { decodeDigest, type StoredWindow } from './series.point';
import { HourPartialCache, type HourPartial } from './summary.cache';
import { TieredReader } from './tiered.reader';

export interface SummaryResponse {
  service: string;
  metric: string;
  from: number;
  to: number;
  tags: Record<string, string>;
  /** Stored 1m windows merged, per tier. */
  windows: { hot: number; cold: number };
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  quantiles: { q: number; value: number | null }[];
}

const HOUR = 3_600_000;
/**
 * Ranges at least this long merge cold history per hour (cached), then the hours: a two-level
 * merge whose quantiles stay within the t-digest's error, but are not bit-identical to merging
 * every window at once. Shorter ranges merge every window directly.
 */
export const HOURLY_MERGE_MIN_RANGE_MS = 6 * HOUR;

const orNull = (v: number) => (Number.isFinite(v) ? v : null);

function partialOf(windows: readonly StoredWindow[]): HourPartial {
  const p: HourPartial = {
    count: 0,
    sum: 0,
    min: Infinity,
    max: -Infinity,
    windows: windows.length,
    hot: 0,
    digest: null,
  };
  const digests: TDigest[] = [];
  for (const w of windows) {
    p.count += w.count;
    p.sum += w.sum;
    if (w.min < p.min) p.min = w.min;
    if (w.max > p.max) p.max = w.max;
    if (w.tier === 'hot') p.hot++;
    if (w.digest && w.count > 0) digests.push(decodeDigest(w.digest));
  }
  if (digests.length) p.digest = TDigest.mergeAll(digests);
  return p;
}

/**
 * Statistics over an arbitrary range: count, sum, min and max are exact (added up from the stored
 * windows); quantiles come from merging the windows' digests, so any q can be asked afterwards.
 */
@Injectable()
export class SummaryService {
  private readonly cache = new HourPartialCache(20_000, 5 * 60_000);

  constructor(
    private readonly reader: TieredReader,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async summary(q: SummaryQuery): Promise<SummaryResponse> {
    const to = q.to ?? this.clock.now();
    const from = q.from ?? to - 86_400_000;
    const selector: TagSelector =
      Object.keys(q.tag).length > 0 ? { kind: 'filter', tags: q.tag } : { kind: 'rollup' };
    const parts =
      to - from >= HOURLY_MERGE_MIN_RANGE_MS
        ? await this.byHour(q, from, to, selector)
        : [partialOf(await this.read(q, from, to, selector))];
    const total = partialOf([]);
    const digests: TDigest[] = [];
    for (const p of parts) {
      total.count += p.count;
      total.sum += p.sum;
      total.min = Math.min(total.min, p.min);
      total.max = Math.max(total.max, p.max);
      total.windows += p.windows;
      total.hot += p.hot;
      if (p.digest) digests.push(p.digest);
    }
    const values = digests.length ? TDigest.mergeAll(digests).quantiles(q.q) : q.q.map(() => NaN);
    return {
      service: q.service,
      metric: q.metric,
      from,
      to,
      tags: q.tag,
      windows: { hot: total.hot, cold: total.windows - total.hot },
      count: total.count,
      sum: total.sum,
      min: orNull(total.min),
      max: orNull(total.max),
      avg: total.count > 0 ? total.sum / total.count : null,
      quantiles: q.q.map((qq, i) => ({ q: qq, value: orNull(values[i] as number) })),
    };
  }

  private read(q: SummaryQuery, from: number, to: number, selector: TagSelector): Promise<StoredWindow[]> {
    return this.reader.read({
      serviceId: q.service,
      metricName: q.metric,
      window: '1m',
      from,
      to,
      selector,
      withDigest: true,
    });
  }

  /** Whole cold hours from the cache (reading the missing ones in one query), the edges directly. */
  private async byHour(
    q: SummaryQuery,
    from: number,
    to: number,
    selector: TagSelector,
  ): Promise<HourPartial[]> {
    const now = this.clock.now();
    const firstHour = Math.ceil(from / HOUR) * HOUR;
    const endHour = Math.min(Math.floor(to / HOUR) * HOUR, Math.floor(this.reader.seam() / HOUR) * HOUR);
    if (endHour <= firstHour) return [partialOf(await this.read(q, from, to, selector))];
    const prefix = `${q.service}\u0000${q.metric}\u0000${selector.kind === 'rollup' ? '' : tagsKey(selector.tags)}\u0000`;
    const parts: HourPartial[] = [];
    const missing: number[] = [];
    for (let h = firstHour; h < endHour; h += HOUR) {
      const hit = this.cache.get(prefix + h, now);
      if (hit) parts.push(hit);
      else missing.push(h);
    }
    const reads: Promise<void>[] = [];
    if (missing.length) {
      const lo = missing[0] as number;
      const hi = (missing[missing.length - 1] as number) + HOUR;
      reads.push(
        this.read(q, lo, hi, selector).then((windows) => {
          const byHour = new Map<number, StoredWindow[]>(missing.map((h) => [h, []]));
          for (const w of windows) byHour.get(Math.floor(w.start / HOUR) * HOUR)?.push(w);
          for (const [h, ws] of byHour) {
            const p = partialOf(ws);
            this.cache.set(prefix + h, p, now);
            parts.push(p);
          }
        }),
      );
    }
    if (from < firstHour)
      reads.push(this.read(q, from, firstHour, selector).then((ws) => void parts.push(partialOf(ws))));
    if (endHour < to)
      reads.push(this.read(q, endHour, to, selector).then((ws) => void parts.push(partialOf(ws))));
    await Promise.all(reads);
    return parts;
  }
}
