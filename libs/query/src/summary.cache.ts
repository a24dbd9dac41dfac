import { TDigest } from '@streammetrics/tdigest';

/** Exact totals and the merged digest of the 1m windows of one series (or tag filter) in one hour. */
export interface HourPartial {
  count: number;
  sum: number;
  min: number;
  max: number;
  windows: number;
  hot: number;
  digest: TDigest | null;
}

/**
 * Hour partials of cold history, kept for a few minutes. A dashboard asks the same long summaries
 * over and over (every refresh, every viewer); the hours behind the seam hardly change, so each is
 * read and merged once instead of on every request. Bounded (LRU by insertion) and short-lived, so
 * a late final that updates an old window shows within the TTL.
 */
export class HourPartialCache {
  private readonly entries = new Map<string, { at: number; partial: HourPartial }>();

  constructor(
    private readonly maxEntries: number,
    private readonly ttlMs: number,
  ) {}

  get(key: string, now: number): HourPartial | undefined {
    return this.lookup(key, now)?.partial;
  }

  /** The entry with the time it was read from the store. */
  lookup(key: string, now: number): { at: number; partial: HourPartial } | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (now - e.at > this.ttlMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  /** `at`: when the partial's data was read (for one merged from cached parts: the oldest read). */
  set(key: string, partial: HourPartial, at: number): void {
    this.entries.delete(key);
    this.entries.set(key, { at, partial });
    while (this.entries.size > this.maxEntries)
      this.entries.delete(this.entries.keys().next().value as string);
  }
}
