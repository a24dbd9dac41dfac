import { Inject, Injectable } from '@nestjs/common';
import { canonicalTags, CLOCK, type Clock, tagsKey, type WindowId } from '@streammetrics/contracts';
import { ColdStoreRepository, type TagSelector } from './cold-store.repository';
import { ColdWindowCache } from './cold-window.cache';
import { HotStoreRepository } from './hot-store.repository';
import { QUERY_OPTIONS, type QueryOptions } from './query.options';
import { windowSizeMs, windowStepMs, type SeriesWindow } from './query.dto';
import { combinedStats, type StoredWindow } from './series.point';

export interface WindowRead {
  serviceId: string;
  metricName: string;
  window: SeriesWindow;
  /** Window starts in [from, to). */
  from: number;
  to: number;
  selector: TagSelector;
  withDigest: boolean;
  /** Cold windows with count, sum, min and max only (ColdStoreRepository.windows). */
  totalsOnly?: boolean;
}

/** Cold windows that closed at least this long ago are settled enough to cache for COLD_CACHE_TTL_MS. */
const SETTLED_MS = 5 * 60_000;
const COLD_CACHE_TTL_MS = 10_000;

/** Rollup buckets younger than this many buckets are composed from 1m windows when not built yet. */
const COMPOSED_ROLLUP_BUCKETS = 2;

function matches(tags: Record<string, string>, selector: TagSelector): boolean {
  const keys = Object.keys(tags);
  if (selector.kind === 'rollup') return keys.length === 0;
  if (selector.kind === 'exact') return tagsKey(tags) === tagsKey(selector.tags);
  if (keys.length === 0) return false;
  if (selector.groupBy !== undefined && !(selector.groupBy in tags)) return false;
  return Object.entries(selector.tags).every(([k, v]) => tags[k] === v);
}

/**
 * Reads windows across the two tiers as one sequence. The seam is a single instant,
 * now - hotWindowMs: a window whose start is at or after it comes from Redis, an older one from
 * PostgreSQL, so no window is counted twice and none falls between the tiers. Rollups (1h, 1d) are
 * cold only; the newest buckets the sink has not rolled up yet are composed from 1m windows.
 */
@Injectable()
export class TieredReader {
  private readonly coldCache = new ColdWindowCache(50_000, COLD_CACHE_TTL_MS);

  constructor(
    private readonly hot: HotStoreRepository,
    private readonly cold: ColdStoreRepository,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(QUERY_OPTIONS) private readonly opts: QueryOptions,
  ) {}

  /** The instant from which the hot tier answers. */
  seam(): number {
    return this.clock.now() - this.opts.hotWindowMs;
  }

  async read(r: WindowRead): Promise<readonly StoredWindow[]> {
    if (r.window === '1h' || r.window === '1d') return this.readRollup(r);
    const seam = this.seam();
    const none: readonly StoredWindow[] = [];
    const [cold, hot] = await Promise.all([
      r.from < seam ? this.readCold(r, Math.min(r.to, seam)) : none,
      r.to > seam ? this.readHot(r, Math.max(r.from, seam), r.to) : none,
    ]);
    return cold.length === 0 ? hot : hot.length === 0 ? cold : [...cold, ...hot];
  }

  /**
   * Cold windows with start in [from, to). Windows that closed at least SETTLED_MS ago are served
   * from a cache for a few seconds (ColdWindowCache): the range read and kept is widened to whole
   * window steps, so requests whose bounds move with the clock share an entry, and the answer is
   * cut back to exactly [from, to) here.
   */
  private async readCold(r: WindowRead, to: number): Promise<readonly StoredWindow[]> {
    const now = this.clock.now();
    const step = windowStepMs(r.window);
    const lo = Math.floor(r.from / step) * step;
    const hi = Math.ceil(to / step) * step;
    const settled = hi + windowSizeMs(r.window) + SETTLED_MS <= now;
    const read = (from: number, until: number) =>
      this.cold.windows(
        r.window,
        r.serviceId,
        r.metricName,
        from,
        until,
        r.selector,
        r.withDigest,
        r.totalsOnly,
      );
    if (!settled) return read(r.from, to);
    const key = `${r.window}\u0000${r.serviceId}\u0000${r.metricName}\u0000${JSON.stringify(r.selector)}\u0000${r.withDigest}\u0000${r.totalsOnly === true}\u0000${lo}\u0000${hi}`;
    let windows = this.coldCache.get(key, now);
    if (!windows) {
      windows = await read(lo, hi);
      this.coldCache.set(key, windows, now);
    }
    if (lo === r.from && hi === to) return windows;
    return windows.filter((w) => w.start >= r.from && w.start < to);
  }

  private async readHot(r: WindowRead, from: number, to: number): Promise<readonly StoredWindow[]> {
    let tagSets: Record<string, string>[];
    if (r.selector.kind === 'rollup') tagSets = [{}];
    else if (r.selector.kind === 'exact') tagSets = [canonicalTags(r.selector.tags)];
    else {
      const selector = r.selector;
      tagSets = (await this.hot.tagSets(r.serviceId, r.metricName)).filter((t) => matches(t, selector));
    }
    // ZRANGEBYSCORE bounds are inclusive; starts are whole milliseconds, so to - 1 makes [from, to).
    return this.hot.windows(
      r.serviceId,
      r.metricName,
      r.window as WindowId,
      tagSets,
      from,
      to - 1,
      r.withDigest,
    );
  }

  private async readRollup(r: WindowRead): Promise<readonly StoredWindow[]> {
    const step = windowStepMs(r.window);
    const built = await this.cold.windows(
      r.window,
      r.serviceId,
      r.metricName,
      r.from,
      r.to,
      r.selector,
      r.withDigest,
    );
    const newestBuilt = built.reduce((m, w) => Math.max(m, w.start), -Infinity);
    const recent = Math.floor(this.clock.now() / step) * step - (COMPOSED_ROLLUP_BUCKETS - 1) * step;
    const composeFrom = Math.max(r.from, recent, newestBuilt + step);
    if (composeFrom >= r.to) return built;
    const minutes = await this.read({ ...r, window: '1m', from: composeFrom, to: r.to, withDigest: true });
    return built.concat(rollUp(minutes, step, r.withDigest));
  }
}

/**
 * Merges windows of the same tag set into buckets of `bucketMs` (aligned to the epoch), keeping
 * exact count/sum/min/max and a merged digest. Used for rollups not built yet.
 */
export function rollUp(
  windows: readonly StoredWindow[],
  bucketMs: number,
  withDigest: boolean,
): StoredWindow[] {
  const groups = new Map<string, StoredWindow[]>();
  for (const w of windows) {
    const start = Math.floor(w.start / bucketMs) * bucketMs;
    const key = `${start}|${tagsKey(w.tags)}`;
    const g = groups.get(key);
    if (g) g.push(w);
    else groups.set(key, [w]);
  }
  const out: StoredWindow[] = [];
  for (const g of groups.values()) {
    const first = g[0] as StoredWindow;
    const start = Math.floor(first.start / bucketMs) * bucketMs;
    const { stats, digest: merged } = combinedStats(g, bucketMs);
    out.push({
      start,
      end: start + bucketMs,
      tags: first.tags,
      ...stats,
      // A composed bucket is still filling: the rollup the sink writes later is the final one.
      final: false,
      streamTime: g.reduce((m, w) => Math.max(m, w.streamTime), 0),
      digest: withDigest && merged ? merged.toBytes() : null,
      tier: g.some((w) => w.tier === 'hot') ? 'hot' : 'cold',
    });
  }
  return out.sort((a, b) => a.start - b.start);
}
