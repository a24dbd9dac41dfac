import { canonicalTags, tagsKey, type MetricEvent } from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';
import {
  MetricGroup,
  OVERFLOW_METRIC,
  OVERFLOW_SERVICE,
  OVERFLOW_TAGS,
  Series,
  Slice,
  type SeriesKind,
} from './slice.state';

const OVERFLOW_TAGS_KEY = tagsKey(OVERFLOW_TAGS);

/**
 * The window store: every series of one partition and their slices, indexed by slice start so
 * that closing a window and expiring old slices touch only the slices concerned.
 */
export class SliceStore {
  private readonly series = new Map<string, Series>();
  private readonly groups = new Map<string, MetricGroup>();
  private readonly buckets = new Map<number, Slice[]>();
  /** Bucket starts, ascending; slices mostly arrive in order, so inserts are appends. */
  private readonly starts: number[] = [];
  sliceCount = 0;
  overflowed = 0;
  /** Events folded into the partition's overflow series by the series cap. */
  seriesOverflowed = 0;

  constructor(
    private readonly maxTagSetsPerMetric: number,
    private readonly compression: number,
    private readonly maxSeries = Number.MAX_SAFE_INTEGER,
  ) {}

  get seriesCount(): number {
    return this.series.size;
  }

  get empty(): boolean {
    return this.starts.length === 0;
  }

  get firstStart(): number {
    return this.starts[0] as number;
  }

  get lastStart(): number {
    return this.starts[this.starts.length - 1] as number;
  }

  bucket(start: number): readonly Slice[] | undefined {
    return this.buckets.get(start);
  }

  /**
   * The series an event belongs to (the rollup itself for a tagless event), applying the cap:
   * a tag set not yet known once the metric holds maxTagSetsPerMetric of them goes to overflow.
   * Builds one key string per event; everything else is looked up by it.
   */
  seriesOf(event: MetricEvent): Series {
    const tk = fastTagsKey(event.tags);
    const key = `${event.serviceId}|${event.metricName}|${tk}`;
    const found = this.series.get(key);
    if (found) return found;
    // Checked before the group is made: a flood of new services must not grow the groups either.
    if (this.series.size >= this.maxSeries) {
      this.seriesOverflowed++;
      return this.overflowOf(this.groupOf(OVERFLOW_SERVICE, OVERFLOW_METRIC));
    }
    const group = this.groupOf(event.serviceId, event.metricName);
    if (tk === '') return this.rollupOf(group);
    if (tk === OVERFLOW_TAGS_KEY) return this.overflowOf(group);
    if (group.taggedSeries >= this.maxTagSetsPerMetric) {
      this.overflowed++;
      return this.overflowOf(group);
    }
    return this.create(group, 'tagged', canonicalTags(event.tags), tk);
  }

  rollupOf(group: MetricGroup): Series {
    return group.rollup ?? (group.rollup = this.create(group, 'rollup', {}, ''));
  }

  /** The series named by a changelog key's parts; used by restore. */
  seriesFor(serviceId: string, metricName: string, tk: string): Series {
    const group = this.groupOf(serviceId, metricName);
    const found = this.series.get(`${group.key}|${tk}`);
    if (found) return found;
    if (tk === '') return this.rollupOf(group);
    if (tk === OVERFLOW_TAGS_KEY) return this.overflowOf(group);
    return this.create(group, 'tagged', canonicalTags(JSON.parse(tk) as Record<string, string>), tk);
  }

  sliceOf(series: Series, start: number): Slice {
    const last = series.last;
    if (last !== undefined && last.start === start) return last;
    const slices = series.slices;
    // Slices are ascending and events mostly recent: search from the end.
    let i = slices.length;
    while (i > 0 && (slices[i - 1] as Slice).start > start) i--;
    let slice = slices[i - 1];
    if (slice === undefined || slice.start !== start) {
      slice = new Slice(series, start, new TDigest({ compression: this.compression }));
      this.place(series, i, slice);
    }
    series.last = slice;
    return slice;
  }

  /** Places a restored slice; its digest comes from the changelog. */
  restoreSlice(series: Series, start: number, digest: TDigest): Slice {
    const slice = new Slice(series, start, digest);
    const slices = series.slices;
    let i = slices.length;
    while (i > 0 && (slices[i - 1] as Slice).start > start) i--;
    this.place(series, i, slice);
    return slice;
  }

  /** Drops every bucket whose slices no open window needs any more; returns the removed slices. */
  expire(isDead: (sliceStart: number) => boolean): Slice[] {
    const removed: Slice[] = [];
    let kept = 0;
    for (const start of this.starts) {
      if (!isDead(start)) {
        this.starts[kept++] = start;
        continue;
      }
      const bucket = this.buckets.get(start) as Slice[];
      this.buckets.delete(start);
      for (const slice of bucket) {
        slice.removed = true;
        this.unlink(slice);
        removed.push(slice);
      }
    }
    this.starts.length = kept;
    return removed;
  }

  private place(series: Series, at: number, slice: Slice): void {
    // A one-element literal is allocated at its exact size; the shared empty array is never written.
    if (series.slices.length === 0) series.slices = [slice];
    else series.slices.splice(at, 0, slice);
    this.index(slice);
  }

  private unlink(slice: Slice): void {
    const series = slice.series;
    const slices = series.slices;
    // Expiry goes oldest first, so the slice is almost always the first one.
    if (slices[0] === slice) slices.shift();
    else slices.splice(slices.indexOf(slice), 1);
    if (series.last === slice) series.last = undefined;
    this.sliceCount--;
    if (slices.length > 0) return;
    // A series without slices has no open window left: forget it, freeing its cap slot.
    this.series.delete(series.key);
    const group = series.group;
    if (series.kind === 'tagged') group.taggedSeries--;
    if (group.rollup === series) group.rollup = undefined;
    if (group.overflow === series) group.overflow = undefined;
    if (--group.liveSeries === 0) this.groups.delete(group.key);
  }

  private index(slice: Slice): void {
    this.sliceCount++;
    const bucket = this.buckets.get(slice.start);
    if (bucket !== undefined) {
      bucket.push(slice);
      return;
    }
    this.buckets.set(slice.start, [slice]);
    const starts = this.starts;
    let i = starts.length;
    while (i > 0 && (starts[i - 1] as number) > slice.start) i--;
    starts.splice(i, 0, slice.start);
  }

  private groupOf(serviceId: string, metricName: string): MetricGroup {
    const key = `${serviceId}|${metricName}`;
    let group = this.groups.get(key);
    if (group === undefined) {
      group = new MetricGroup(serviceId, metricName, key);
      this.groups.set(key, group);
    }
    return group;
  }

  private overflowOf(group: MetricGroup): Series {
    return (
      group.overflow ?? (group.overflow = this.create(group, 'overflow', OVERFLOW_TAGS, OVERFLOW_TAGS_KEY))
    );
  }

  private create(group: MetricGroup, kind: SeriesKind, tags: Record<string, string>, tk: string): Series {
    const series = new Series(`${group.key}|${tk}`, group, kind, Object.freeze(tags));
    this.series.set(series.key, series);
    group.liveSeries++;
    if (kind === 'tagged') group.taggedSeries++;
    return series;
  }
}

/** Keys of the tag set being canonicalised; reused, fastTagsKey runs once per event. */
const keyScratch: string[] = [];
/** Above this many tags the general path's sort is as good as the insertion sort below. */
const SMALL_TAG_SET = 8;

/**
 * tagsKey() without its Object.keys, sort and second Object.keys: keys that already come in sorted
 * order (one producer, one code path) are serialised as they are, and a small set in another order
 * is insertion-sorted in a reused array. The result is identical: the canonical copy is built with
 * the same keys inserted in the same order, and JSON.stringify walks them in that order.
 */
export function fastTagsKey(tags: Record<string, string>): string {
  let prev: string | undefined;
  let sorted = true;
  let n = 0;
  for (const k in tags) {
    if (prev !== undefined && k <= prev) sorted = false;
    prev = k;
    n++;
  }
  if (n === 0) return '';
  if (sorted) return JSON.stringify(tags);
  if (n > SMALL_TAG_SET) return tagsKey(tags);
  const keys = keyScratch;
  let m = 0;
  for (const k in tags) {
    let j = m++;
    while (j > 0 && (keys[j - 1] as string) > k) {
      keys[j] = keys[j - 1] as string;
      j--;
    }
    keys[j] = k;
  }
  const canonical: Record<string, string> = {};
  for (let i = 0; i < m; i++) {
    const k = keys[i] as string;
    canonical[k] = tags[k] as string;
  }
  return JSON.stringify(canonical);
}
