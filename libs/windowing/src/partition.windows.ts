import {
  SLICE_MS,
  type AggregateRecord,
  type EmitKind,
  type MetricEvent,
  type WindowId,
  type WindowSpec,
} from '@streammetrics/contracts';
import { buildAggregate } from './aggregate.builder';
import {
  decodeChangelogKey,
  decodeMetaValue,
  decodeSliceValue,
  encodeMetaValue,
  encodeSliceValue,
  META_KEY,
} from './changelog.codec';
import { Series, Slice } from './slice.state';
import { SliceStore } from './slice.store';
import { UpdateThrottle } from './update.throttle';
import { sliceStartOf, WindowLayout } from './window.assigner';
import { resolveWindowingOptions, type WindowingOptions } from './windowing.options';

export type IngestOutcome =
  /** Updated at least one window; missedWindows are the sizes it came too late for (a metric, not a dead letter). */
  | { kind: 'accepted'; missedWindows: WindowId[] }
  /** No window accepts it any more: the caller dead-letters it with LATE_EVENT. State is untouched. */
  | { kind: 'late' };

export interface EmittedAggregate {
  topic: string;
  /** serviceId, the partition key of the aggregated topics. */
  key: string;
  emit: EmitKind;
  record: AggregateRecord;
}

export interface ChangelogEntry {
  key: string;
  /** null is a tombstone. */
  value: Uint8Array | null;
}

export interface CollectResult {
  outputs: EmittedAggregate[];
  changelog: ChangelogEntry[];
}

export interface WindowingStats {
  activeSeries: number;
  activeSlices: number;
  /** Events routed to an overflow series by the tag-set cap since this instance was created. */
  overflowed: number;
  /** Events folded into the partition-wide overflow series by the series cap, since creation. */
  seriesOverflowed: number;
  /** Accepted events that missed at least one window of that size, since this instance was created. */
  lateByWindow: Record<WindowId, number>;
}

const LATE: IngestOutcome = Object.freeze({ kind: 'late' });
const ON_TIME: IngestOutcome = Object.freeze({
  kind: 'accepted',
  missedWindows: Object.freeze<WindowId[]>([]) as WindowId[],
});

/**
 * All window state of one input partition: stream time, slices, emission bookkeeping.
 *
 * Lifecycle of a window [start, end): it accepts records while streamTime < end + grace. The moment
 * stream time reaches end + grace (in ingest() or tick()) its final record is computed from its
 * slices and buffered; collect() hands it out. Computing the final at that moment rather than in
 * collect() matters: a slice is shared by several windows, and a record arriving after this
 * window closed may still land in the slice for a wider window — it must not leak into this one.
 * Because finals depend only on the event sequence, an instance restored from the changelog of any
 * collect() and fed the same remaining events produces the same finals.
 */
export class PartitionWindows {
  private readonly grace: number;
  private readonly compression: number;
  private readonly specs: readonly WindowSpec[];
  private readonly layout: WindowLayout;
  private readonly store: SliceStore;
  private readonly throttle: UpdateThrottle;
  private readonly idleTimeoutMs: number;
  private readonly maxUpdatesPerCollect: number;

  private time = -Infinity;
  /** Smallest stream time at which some window might close; below it advancing is one comparison. */
  private nextBoundary = -Infinity;
  /** Wall time of the last ingest; undefined until the first event or tick after (re)start. */
  private lastEventWall: number | undefined;
  private persistedTime: number | undefined;
  private closeToken = 0;

  private dirty: Slice[] = [];
  private finals: EmittedAggregate[] = [];
  private tombstones: string[] = [];

  private readonly missedOutcomes = new Map<number, { outcome: IngestOutcome; ids: WindowId[] }>();
  private readonly lateByWindow: Record<WindowId, number>;

  constructor(opts: Partial<WindowingOptions> = {}) {
    const o = resolveWindowingOptions(opts);
    this.grace = o.graceMs;
    this.compression = o.compression;
    this.specs = o.windows;
    this.lateByWindow = Object.fromEntries(o.windows.map((w) => [w.id, 0]));
    this.idleTimeoutMs = o.idleTimeoutMs;
    this.maxUpdatesPerCollect = o.maxUpdatesPerCollect;
    this.layout = new WindowLayout(o.windows);
    this.store = new SliceStore(o.maxTagSetsPerMetric, o.compression, o.maxSeriesPerPartition);
    const windowsPerSlice = this.layout.instances.reduce((a, b) => a + b, 0);
    this.throttle = new UpdateThrottle(o.emitIntervalMs, windowsPerSlice);
  }

  /** Largest event timestamp seen (or idle-advanced to); -Infinity before the first event. */
  get streamTime(): number {
    return this.time;
  }

  ingest(event: MetricEvent, wallNow: number): IngestOutcome {
    this.lastEventWall = wallNow;
    const ts = event.timestamp;
    // The schema guarantees both; checked anyway because a throw after a slice exists would leave it empty.
    if (!Number.isSafeInteger(ts) || ts < 0) throw new RangeError(`event timestamp ${ts} is not epoch ms`);
    if (!Number.isFinite(event.value)) throw new RangeError(`event value ${event.value} is not finite`);
    const sliceStart = sliceStartOf(ts);
    // Lateness is judged against stream time before this record moves it.
    const open = this.layout.openMask(sliceStart, this.time, this.grace);
    if (open === 0) return LATE;

    const series = this.store.seriesOf(event);
    this.addTo(series, sliceStart, event.value, open);
    // A tagless event's series is the rollup itself: adding it again would count it twice.
    if (series.kind !== 'rollup')
      this.addTo(this.store.rollupOf(series.group), sliceStart, event.value, open);

    if (ts > this.time) this.advance(ts);
    const missed = this.layout.validMask(sliceStart) & ~open;
    return missed === 0 ? ON_TIME : this.missed(missed);
  }

  tick(wallNow: number): void {
    // Before the first event there is nothing to close, and advancing would make a backlog of
    // old events arriving later late; so the idle clock only runs once the partition has data.
    if (this.idleTimeoutMs === 0 || this.time === -Infinity) return;
    if (this.lastEventWall === undefined) {
      // Just restored: the idle timeout restarts rather than firing before the replay catches up.
      this.lastEventWall = wallNow;
      return;
    }
    if (wallNow - this.lastEventWall < this.idleTimeoutMs) return;
    const t = wallNow - this.grace;
    if (t > this.time) this.advance(t);
  }

  collect(wallNow: number): CollectResult {
    const changelog: ChangelogEntry[] = [];
    const dirty = this.dirty;
    this.dirty = [];
    for (const slice of dirty) {
      slice.queued = false;
      const mask = slice.dirtyMask;
      slice.dirtyMask = 0;
      if (slice.removed) continue;
      changelog.push({
        key: slice.series.changelogPrefix + slice.start,
        value: encodeSliceValue(slice.digest),
      });
      slice.persisted = true;
      this.markChanged(slice, mask);
    }

    const outputs: EmittedAggregate[] = [];
    for (const w of this.throttle.takeDue(wallNow, this.maxUpdatesPerCollect)) {
      const spec = this.specs[w.specIndex] as WindowSpec;
      const slices = slicesOf(w.series, w.start, spec.sizeMs);
      if (slices.length === 0) continue;
      const record = buildAggregate(w.series, spec, w.start, slices, this.time, false, this.compression);
      record.emittedAt = wallNow;
      outputs.push({ topic: spec.topic, key: record.serviceId, emit: 'update', record });
    }
    for (const f of this.finals) {
      f.record.emittedAt = wallNow;
      outputs.push(f);
    }
    this.finals = [];

    for (const key of this.tombstones) changelog.push({ key, value: null });
    this.tombstones = [];
    if (this.persistedTime !== this.time) {
      changelog.push({ key: META_KEY, value: encodeMetaValue({ streamTime: this.time }) });
      this.persistedTime = this.time;
    }
    return { outputs, changelog };
  }

  static restore(opts: Partial<WindowingOptions>, entries: Iterable<ChangelogEntry>): PartitionWindows {
    const latest = new Map<string, Uint8Array | null>();
    for (const e of entries) latest.set(e.key, e.value);
    const pw = new PartitionWindows(opts);
    let streamTime: number | undefined;
    for (const [key, value] of latest) {
      if (value === null) continue;
      const k = decodeChangelogKey(key);
      if (k.kind === 'meta') {
        streamTime = decodeMetaValue(key, value).streamTime;
        continue;
      }
      const digest = decodeSliceValue(key, value);
      const series = pw.store.seriesFor(k.serviceId, k.metricName, k.tagsKey);
      pw.store.restoreSlice(series, k.sliceStart, digest).persisted = true;
    }
    if (streamTime !== undefined) {
      pw.time = streamTime;
      pw.persistedTime = streamTime;
      pw.nextBoundary = pw.boundaryAfter(streamTime);
      // Every window with end + grace <= streamTime got its final before the changelog was
      // written, so nothing is closed here; slices a lost tombstone left behind are dropped.
      pw.expireSlices(streamTime);
    }
    return pw;
  }

  stats(): WindowingStats {
    return {
      activeSeries: this.store.seriesCount,
      activeSlices: this.store.sliceCount,
      overflowed: this.store.overflowed,
      seriesOverflowed: this.store.seriesOverflowed,
      lateByWindow: { ...this.lateByWindow },
    };
  }

  private addTo(series: Series, sliceStart: number, value: number, open: number): void {
    const slice = this.store.sliceOf(series, sliceStart);
    slice.digest.add(value);
    slice.dirtyMask |= open;
    if (!slice.queued) {
      slice.queued = true;
      this.dirty.push(slice);
    }
  }

  private missed(bits: number): IngestOutcome {
    let m = this.missedOutcomes.get(bits);
    if (m === undefined) {
      const ids = Object.freeze(this.layout.idsOf(bits)) as WindowId[];
      m = { outcome: Object.freeze({ kind: 'accepted', missedWindows: ids }), ids };
      this.missedOutcomes.set(bits, m);
    }
    for (const id of m.ids) this.lateByWindow[id] = (this.lateByWindow[id] ?? 0) + 1;
    return m.outcome;
  }

  private advance(t: number): void {
    const prev = this.time;
    this.time = t;
    if (t < this.nextBoundary) return;
    this.nextBoundary = this.boundaryAfter(t);
    this.closeWindows(prev, t);
    this.expireSlices(t);
  }

  /** Smallest end + grace above t; window ends are multiples of the slice. */
  private boundaryAfter(t: number): number {
    if (t === -Infinity) return -Infinity;
    return Math.floor((t - this.grace) / SLICE_MS) * SLICE_MS + SLICE_MS + this.grace;
  }

  /** Finals of every window with prev < end + grace <= t that holds data, in end order. */
  private closeWindows(prev: number, t: number): void {
    if (this.store.empty) return;
    const firstWithData = this.store.firstStart + SLICE_MS;
    const lastWithData = this.store.lastStart + this.layout.maxSizeMs;
    const from =
      prev === -Infinity ? firstWithData : Math.floor((prev - this.grace) / SLICE_MS) * SLICE_MS + SLICE_MS;
    const to = Math.min(Math.floor((t - this.grace) / SLICE_MS) * SLICE_MS, lastWithData);
    for (let end = Math.max(from, firstWithData); end <= to; end += SLICE_MS) {
      for (let i = 0; i < this.specs.length; i++) {
        const spec = this.specs[i] as WindowSpec;
        if (end % spec.advanceMs === 0 && end - spec.sizeMs >= 0) this.closeWindow(i, end - spec.sizeMs, t);
      }
    }
  }

  private closeWindow(specIndex: number, start: number, t: number): void {
    const spec = this.specs[specIndex] as WindowSpec;
    const token = ++this.closeToken;
    const touched: Series[] = [];
    // Buckets hold the slices of every series at one start, so only series with data are visited.
    for (let s = start; s < start + spec.sizeMs; s += SLICE_MS) {
      const bucket = this.store.bucket(s);
      if (bucket === undefined) continue;
      for (const slice of bucket) {
        const series = slice.series;
        if (series.closeMark !== token) {
          series.closeMark = token;
          series.closeSlices = [slice];
          touched.push(series);
        } else {
          (series.closeSlices as Slice[]).push(slice);
        }
      }
    }
    for (const series of touched) {
      const slices = series.closeSlices as Slice[];
      series.closeSlices = undefined;
      const record = buildAggregate(series, spec, start, slices, t, true, this.compression);
      this.finals.push({ topic: spec.topic, key: record.serviceId, emit: 'final', record });
      this.throttle.close(series, specIndex, start);
    }
  }

  private expireSlices(t: number): void {
    for (const slice of this.store.expire((s) => this.layout.sliceExpiry(s, this.grace) <= t)) {
      if (slice.persisted) this.tombstones.push(slice.series.changelogPrefix + slice.start);
    }
  }

  /** Turns a slice's changed-window bits into pending updates of the windows still open. */
  private markChanged(slice: Slice, mask: number): void {
    const layout = this.layout;
    for (let i = 0; i < this.specs.length; i++) {
      const spec = this.specs[i] as WindowSpec;
      const n = layout.instances[i] as number;
      const offset = layout.bitOffset[i] as number;
      for (let k = 0; k < n; k++) {
        if ((mask & (1 << (offset + k))) === 0) continue;
        const start = layout.windowStart(i, k, slice.start);
        // Closed since the record arrived: its final already includes it.
        if (this.time >= start + spec.sizeMs + this.grace) continue;
        this.throttle.markChanged(slice.series, i, start);
      }
    }
  }
}

/** The series' slices within [start, start + sizeMs), ascending. */
function slicesOf(series: Series, start: number, sizeMs: number): Slice[] {
  const out: Slice[] = [];
  const end = start + sizeMs;
  for (const slice of series.slices) {
    if (slice.start >= end) break;
    if (slice.start >= start) out.push(slice);
  }
  return out;
}
