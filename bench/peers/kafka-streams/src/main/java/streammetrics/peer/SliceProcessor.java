package streammetrics.peer;

import com.tdunning.math.stats.MergingDigest;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The tuned peer: the same algorithm as the StreamMetrics processor, written with the Processor API
 * the way a Kafka Streams expert would for this workload. Per series, events go into 10 s slices
 * (every window size and hop is a multiple of 10 s), one digest insert per event and series; a
 * window's aggregate is merged from its slices only when it is emitted. State lives in plain Java
 * maps; the changelogged in-memory store is written once per dirty slice per commit interval (a
 * wall-clock punctuator at commit.interval.ms), so the changelog carries what a restore needs and
 * nothing per event. Same lateness and emission rules as {@link WindowAggregateProcessor}.
 */
final class SliceProcessor implements Processor<String, byte[], String, byte[]> {
  static final String STORE = "slices";
  static final long SLICE_MS = 10_000;
  /** A key no series can have (series start with a validated serviceId). */
  private static final String STREAM_TIME_KEY = "\u0000streamTime";

  private final long graceMs;
  private final long emitIntervalMs;
  private final long commitIntervalMs;
  private final WindowAggregateProcessor.Stats stats;

  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, byte[]> store;
  private long streamTime = Long.MIN_VALUE;
  private final Map<String, TreeMap<Long, Slice>> slices = new HashMap<>();
  /** Open windows by the stream time at which they close (end + grace). */
  private final TreeMap<Long, List<WindowRef>> closing = new TreeMap<>();
  private final Set<WindowRef> open = new HashSet<>();
  private final LinkedHashSet<WindowRef> dirtyWindows = new LinkedHashSet<>();
  /** Slices changed since the last changelog write: series|sliceStart. */
  private final Set<SliceRef> dirtySlices = new HashSet<>();
  /** Slices by the stream time after which no window needs them. */
  private final TreeMap<Long, List<SliceRef>> expiring = new TreeMap<>();

  record WindowRef(int def, long start, String series) {}

  record SliceRef(String series, long start) {
    String key() {
      return series + "|" + start;
    }
  }

  SliceProcessor(long graceMs, long emitIntervalMs, long commitIntervalMs, WindowAggregateProcessor.Stats stats) {
    this.graceMs = graceMs;
    this.emitIntervalMs = emitIntervalMs;
    this.commitIntervalMs = commitIntervalMs;
    this.stats = stats;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    byte[] st = store.get(STREAM_TIME_KEY);
    if (st != null) streamTime = ByteBuffer.wrap(st).getLong();
    // After a restore, slices come back from the changelog and the open windows are re-derived.
    try (KeyValueIterator<String, byte[]> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, byte[]> kv = it.next();
        if (kv.key.equals(STREAM_TIME_KEY)) continue;
        int bar = kv.key.lastIndexOf('|');
        String series = kv.key.substring(0, bar);
        long start = Long.parseLong(kv.key.substring(bar + 1));
        slices.computeIfAbsent(series, k -> new TreeMap<>()).put(start, Slice.fromBytes(kv.value));
        expiring.computeIfAbsent(freeAt(start), k -> new ArrayList<>()).add(new SliceRef(series, start));
        for (int w = 0; w < WindowDef.ALL.length; w++) registerOpen(w, start, series);
      }
    }
    context.schedule(Duration.ofMillis(emitIntervalMs), PunctuationType.WALL_CLOCK_TIME, t -> emitUpdates());
    context.schedule(Duration.ofMillis(commitIntervalMs), PunctuationType.WALL_CLOCK_TIME, t -> writeChangelog());
  }

  @Override
  public void process(Record<String, byte[]> record) {
    Event e = Event.parse(record.value());
    if (e == null) {
      stats.invalid.increment();
      return;
    }
    stats.processed.increment();
    long ts = e.ts();
    boolean accepted = false;
    for (int w = 0; w < WindowDef.ALL.length; w++) {
      if (registerOpen(w, ts, e.series())) {
        accepted = true;
        if (e.rollup() != null) registerOpen(w, ts, e.rollup());
      }
    }
    if (accepted) {
      long sliceStart = ts - Math.floorMod(ts, SLICE_MS);
      addToSlice(e.series(), sliceStart, e.value());
      if (e.rollup() != null) addToSlice(e.rollup(), sliceStart, e.value());
    } else {
      stats.late.increment();
    }
    if (ts > streamTime) {
      streamTime = ts;
      closeUpTo(streamTime);
    }
  }

  /**
   * Marks the still-open windows of definition w that contain time t as open and dirty; true if
   * any was open. A window accepts while stream time (before this record) < end + grace.
   */
  private boolean registerOpen(int w, long t, String series) {
    WindowDef def = WindowDef.ALL[w];
    boolean any = false;
    for (long start = t - Math.floorMod(t, def.advanceMs()); start > t - def.sizeMs() && start >= 0; start -= def.advanceMs()) {
      long closeAt = start + def.sizeMs() + graceMs;
      if (streamTime != Long.MIN_VALUE && streamTime >= closeAt) continue;
      any = true;
      WindowRef ref = new WindowRef(w, start, series);
      if (open.add(ref)) closing.computeIfAbsent(closeAt, k -> new ArrayList<>()).add(ref);
      dirtyWindows.add(ref);
    }
    return any;
  }

  private void addToSlice(String series, long start, double value) {
    TreeMap<Long, Slice> bySeries = slices.computeIfAbsent(series, k -> new TreeMap<>());
    Slice s = bySeries.get(start);
    if (s == null) {
      s = new Slice();
      bySeries.put(start, s);
      expiring.computeIfAbsent(freeAt(start), k -> new ArrayList<>()).add(new SliceRef(series, start));
    }
    s.add(value);
    dirtySlices.add(new SliceRef(series, start));
  }

  /** Stream time from which no window containing the slice starting at start is open. */
  private long freeAt(long start) {
    long last = 0;
    for (WindowDef def : WindowDef.ALL) {
      // The latest-ending window containing the slice starts at the slice's own hop boundary.
      long latestStart = start - Math.floorMod(start, def.advanceMs());
      last = Math.max(last, latestStart + def.sizeMs());
    }
    return last + graceMs;
  }

  private void closeUpTo(long time) {
    while (!closing.isEmpty() && closing.firstKey() <= time) {
      for (WindowRef ref : closing.pollFirstEntry().getValue()) {
        open.remove(ref);
        dirtyWindows.remove(ref);
        emit(ref, true);
      }
    }
    while (!expiring.isEmpty() && expiring.firstKey() <= time) {
      for (SliceRef ref : expiring.pollFirstEntry().getValue()) {
        TreeMap<Long, Slice> bySeries = slices.get(ref.series());
        if (bySeries == null) continue;
        bySeries.remove(ref.start());
        if (bySeries.isEmpty()) slices.remove(ref.series());
        // Deleted now, not at the next changelog write: a freed slice must not come back on restore.
        dirtySlices.remove(ref);
        store.delete(ref.key());
      }
    }
  }

  private void emitUpdates() {
    for (WindowRef ref : dirtyWindows) emit(ref, false);
    dirtyWindows.clear();
  }

  private void writeChangelog() {
    if (dirtySlices.isEmpty()) return;
    for (SliceRef ref : dirtySlices) {
      TreeMap<Long, Slice> bySeries = slices.get(ref.series());
      Slice s = bySeries == null ? null : bySeries.get(ref.start());
      if (s != null) store.put(ref.key(), s.toBytes());
    }
    dirtySlices.clear();
    store.put(STREAM_TIME_KEY, ByteBuffer.allocate(8).putLong(streamTime).array());
  }

  private void emit(WindowRef ref, boolean fin) {
    WindowDef def = WindowDef.ALL[ref.def()];
    TreeMap<Long, Slice> bySeries = slices.get(ref.series());
    if (bySeries == null) return;
    NavigableMap<Long, Slice> parts = bySeries.subMap(ref.start(), true, ref.start() + def.sizeMs(), false);
    if (parts.isEmpty()) return;
    long count = 0;
    double sum = 0;
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    List<MergingDigest> digests = new ArrayList<>(parts.size());
    for (Slice s : parts.values()) {
      count += s.count;
      sum += s.sum;
      min = Math.min(min, s.min);
      max = Math.max(max, s.max);
      digests.add(s.digest);
    }
    MergingDigest merged;
    if (digests.size() == 1) {
      merged = digests.get(0);
    } else {
      merged = new MergingDigest(Slice.COMPRESSION);
      merged.add(digests);
    }
    long now = System.currentTimeMillis();
    byte[] json = AggregateCodec.encode(def, ref.start(), ref.series(), count, sum, min, max, merged, fin, streamTime, now);
    AggregateJson.forward(context, def, ref.series(), json, fin, now);
    if (fin) stats.finals.increment();
    else stats.updates.increment();
  }
}
