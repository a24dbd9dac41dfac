import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, tagsKey } from '@streammetrics/contracts';
import { mergeDigests, TotalsFold, windowStats } from '@streammetrics/windowing';
import type { TagSelector } from './cold-store.repository';
import type { SummaryQuery } from './query.dto';
import { mergedDigestOf, type StoredWindow } from './series.point';
import { HourPartialCache, type HourPartial } from './summary.cache';
import { TieredReader } from './tiered.reader';
import type { SummaryResponse } from './api.dto';
export type { SummaryResponse } from './api.dto';

const MINUTE = 60_000;
const HOUR = 3_600_000;
/**
 * Ranges at least this long merge cold history per hour (cached), then the hours: a two-level
 * merge whose quantiles stay within the t-digest's error, but are not bit-identical to merging
 * every window at once. Shorter ranges merge every window directly.
 */
export const HOURLY_MERGE_MIN_RANGE_MS = 6 * HOUR;

const orNull = (v: number) => (Number.isFinite(v) ? v : null);

function partialOf(windows: readonly StoredWindow[]): HourPartial {
  const totals = new TotalsFold();
  for (const w of windows) totals.add(w);
  const { count, sum, min, max } = totals;
  const hot = windows.filter((w) => w.tier === 'hot').length;
  return { count, sum, min, max, windows: windows.length, hot, digest: mergedDigestOf(windows) };
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
    const total = combine(parts);
    const stats = windowStats(total, to - from, null);
    // Any levels can be asked for: the merged digest answers them, not the window's fixed quantiles.
    const values = total.digest ? total.digest.quantiles(q.q) : q.q.map(() => NaN);
    return {
      service: q.service,
      metric: q.metric,
      from,
      to,
      tags: q.tag,
      windows: { hot: total.hot, cold: total.windows - total.hot },
      count: stats.count,
      sum: stats.sum,
      min: stats.min,
      max: stats.max,
      avg: stats.avg,
      quantiles: q.q.map((qq, i) => ({ q: qq, value: orNull(values[i] as number) })),
    };
  }

  private read(
    q: SummaryQuery,
    from: number,
    to: number,
    selector: TagSelector,
  ): Promise<readonly StoredWindow[]> {
    return this.reader.read({
      serviceId: q.service,
      metricName: q.metric,
      window: '1m',
      from,
      to,
      selector,
      withDigest: true,
      // Only totals are added up here; the quantiles come from the merged digests.
      totalsOnly: true,
    });
  }

  /**
   * Cold history from the cache: whole hours (reading the missing ones in one query), and the
   * partial hours at either end when they lie in a cacheable hour too. Everything older than the
   * seam's hour is merged into one partial that is itself kept, so a range asked again (every
   * refresh, every viewer, within the minute) merges nothing. Only what lies in the seam's hour or
   * later is read on every request.
   */
  private async byHour(
    q: SummaryQuery,
    from: number,
    to: number,
    selector: TagSelector,
  ): Promise<HourPartial[]> {
    const now = this.clock.now();
    const seamHour = Math.floor(this.reader.seam() / HOUR) * HOUR;
    const firstHour = Math.ceil(from / HOUR) * HOUR;
    const endHour = Math.min(Math.floor(to / HOUR) * HOUR, seamHour);
    if (endHour <= firstHour) return [partialOf(await this.read(q, from, to, selector))];
    const prefix = `${q.service}\u0000${q.metric}\u0000${selector.kind === 'rollup' ? '' : tagsKey(selector.tags)}\u0000`;
    // 1m windows start on whole minutes: a window starts in [from, x) iff it starts in [ceil(from), x).
    const coldFrom = Math.ceil(from / MINUTE) * MINUTE;
    // The trailing edge [endHour, to) is cacheable when its hour ends before the seam's hour begins.
    const coldTo = endHour < seamHour && endHour < to ? Math.ceil(to / MINUTE) * MINUTE : endHour;
    const span: ColdSpan = { q, selector, prefix, coldFrom, firstHour, endHour, coldTo, now };
    const [cold, tail] = await Promise.all([
      this.coldSpan(span),
      coldTo === endHour && endHour < to ? this.read(q, endHour, to, selector).then(partialOf) : null,
    ]);
    return tail ? [cold, tail] : [cold];
  }

  /** The merged partial of [coldFrom, coldTo), kept as one entry besides its hours and edges. */
  private async coldSpan(span: ColdSpan): Promise<HourPartial> {
    const key = `${span.prefix}${span.coldFrom}~${span.coldTo}`;
    const hit = this.cache.get(key, span.now);
    if (hit) return hit;
    const { parts, oldest } = await this.coldParts(span);
    const merged = combine(parts);
    // Expires with the oldest part in it, so the TTL still bounds how stale an answer can be.
    this.cache.set(key, merged, oldest);
    return merged;
  }

  /** The hour partials of [firstHour, endHour) and of the edges [coldFrom, firstHour), [endHour, coldTo). */
  private async coldParts(span: ColdSpan): Promise<{ parts: HourPartial[]; oldest: number }> {
    const { q, selector, prefix, coldFrom, firstHour, endHour, coldTo, now } = span;
    const parts: HourPartial[] = [];
    let oldest = now;
    const cached = (key: string) => {
      const hit = this.cache.lookup(key, now);
      if (!hit) return false;
      parts.push(hit.partial);
      oldest = Math.min(oldest, hit.at);
      return true;
    };
    const missing: number[] = [];
    for (let h = firstHour; h < endHour; h += HOUR) if (!cached(prefix + h)) missing.push(h);
    const reads: Promise<void>[] = [];
    for (const hours of readChunks(missing)) {
      const lo = hours[0] as number;
      const hi = (hours[hours.length - 1] as number) + HOUR;
      reads.push(
        this.read(q, lo, hi, selector).then((windows) => {
          const byHour = new Map<number, StoredWindow[]>(hours.map((h) => [h, []]));
          for (const w of windows) byHour.get(Math.floor(w.start / HOUR) * HOUR)?.push(w);
          for (const [h, ws] of byHour) {
            const p = partialOf(ws);
            this.cache.set(prefix + h, p, now);
            parts.push(p);
          }
        }),
      );
    }
    const edge = (lo: number, hi: number) => {
      const key = `${prefix}${lo}-${hi}`;
      if (cached(key)) return;
      reads.push(
        this.read(q, lo, hi, selector).then((ws) => {
          const p = partialOf(ws);
          this.cache.set(key, p, now);
          parts.push(p);
        }),
      );
    };
    if (coldFrom < firstHour) edge(coldFrom, firstHour);
    if (endHour < coldTo) edge(endHour, coldTo);
    await Promise.all(reads);
    return { parts, oldest };
  }
}

/** Missing hours read by one query at most: several queries run at once (the pool has 10). */
export const HOURS_PER_READ = 6;

/**
 * The missing hours as the reads that fetch them: contiguous runs of at most HOURS_PER_READ hours.
 * Issued together, the hours of one read are decoded and merged while the next ones are still
 * coming from PostgreSQL, instead of after all of them (the first summary of a day waits for the
 * slower of the two, not for their sum).
 */
export function readChunks(hours: readonly number[]): number[][] {
  const out: number[][] = [];
  let run: number[] = [];
  for (const h of hours) {
    const prev = run[run.length - 1];
    if (run.length === HOURS_PER_READ || (prev !== undefined && h !== prev + HOUR)) {
      out.push(run);
      run = [];
    }
    run.push(h);
  }
  if (run.length) out.push(run);
  return out;
}

/** The cold part of a summary: whole hours [firstHour, endHour) and the edges out to [coldFrom, coldTo). */
interface ColdSpan {
  q: SummaryQuery;
  selector: TagSelector;
  /** Cache key prefix of the series or tag filter. */
  prefix: string;
  coldFrom: number;
  firstHour: number;
  endHour: number;
  coldTo: number;
  now: number;
}

/** One partial of several: totals added, digests merged. */
function combine(parts: readonly HourPartial[]): HourPartial {
  const totals = new TotalsFold();
  for (const p of parts) totals.add(p);
  const { count, sum, min, max } = totals;
  return {
    count,
    sum,
    min,
    max,
    windows: parts.reduce((n, p) => n + p.windows, 0),
    hot: parts.reduce((n, p) => n + p.hot, 0),
    digest: mergeDigests(parts.flatMap((p) => (p.digest ? [p.digest] : []))),
  };
}
