import { TDigest } from '@streammetrics/tdigest';

export type SeriesKind = 'tagged' | 'rollup' | 'overflow';

/** The tag set that absorbs the tag sets beyond the per-metric cap. */
export const OVERFLOW_TAGS: Readonly<Record<string, string>> = Object.freeze({ __overflow__: 'true' });

/** The (serviceId, metricName) of the series that absorbs new series beyond the per-partition cap. */
export const OVERFLOW_SERVICE = '__overflow__';
export const OVERFLOW_METRIC = '__overflow__';

/** All series of one (serviceId, metricName); owns the cardinality count. */
export class MetricGroup {
  /** Tagged series currently holding state; the rollup and the overflow series do not count. */
  taggedSeries = 0;
  /** Every series of the group holding state, so the group can be dropped with its last one. */
  liveSeries = 0;
  /** Cached so the hot path reaches the rollup without building its key. */
  rollup: Series | undefined;
  overflow: Series | undefined;

  constructor(
    readonly serviceId: string,
    readonly metricName: string,
    readonly key: string,
  ) {}
}

/**
 * One 10 s slice of one series. The digest tracks count, sum, min and max exactly beside its
 * centroids, so it is the whole state; the rest is bookkeeping of the partition.
 */
export class Slice {
  /** Windows (bits of WindowLayout) this slice changed since the last collect. */
  dirtyMask = 0;
  /** In the partition's dirty list, so it is queued once per collect however many events it gets. */
  queued = false;
  /** Written to the changelog at least once, so removing it needs a tombstone. */
  persisted = false;
  removed = false;

  constructor(
    readonly series: Series,
    readonly start: number,
    readonly digest: TDigest,
  ) {}
}

/** Shared by series without slices; never written, a series gets its own array with its first slice. */
const NO_SLICES: Slice[] = [];

/** One (serviceId, metricName, canonical tags) series, or the rollup, or the overflow series. */
export class Series {
  /**
   * Ascending by start. An array, not a Map: a series holds one slice per 10 s of its widest open
   * window (a hundred at most), new slices are appended, old ones leave from the front, and an
   * empty Map alone costs ~190 bytes at 10^5 series.
   */
  slices: Slice[] = NO_SLICES;
  /**
   * Interim-emission state of this series' open windows that changed, packed by UpdateThrottle
   * (see there) into pairs of numbers; undefined while there is none. One object per window cost
   * ~110 bytes each, and a series has nine open windows at any time.
   */
  emissions: number[] | undefined;
  /** Numbers in use in `emissions` (two per window); the array itself grows by doubling. */
  emissionLength = 0;
  /** Events arrive mostly in order: the current slice is almost always the last one used. */
  last: Slice | undefined;
  /** Scratch space of the closing pass (see PartitionWindows), kept here to avoid a Map per pass. */
  closeMark = 0;
  closeSlices: Slice[] | undefined;

  constructor(
    readonly key: string,
    readonly group: MetricGroup,
    readonly kind: SeriesKind,
    readonly tags: Readonly<Record<string, string>>,
  ) {}

  /** Canonical JSON of the tags ("" for the rollup). Derived from the key rather than stored twice. */
  get tagsKey(): string {
    return this.key.slice(this.group.key.length + 1);
  }

  /**
   * Changelog keys of this series' slices are this plus the slice start: the key is
   * serviceId|metricName|tagsKey, so this equals sliceChangelogPrefix() of its parts.
   */
  get changelogPrefix(): string {
    return `s|${this.key}|`;
  }
}
