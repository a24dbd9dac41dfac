package streammetrics.peer;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.LongAdder;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.processor.PunctuationType;
import org.apache.kafka.streams.processor.api.Processor;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The windowed aggregation of StreamMetrics, per input partition (one instance per task).
 *
 * <p>Why the Processor API and not {@code groupBy().windowedBy().aggregate()}: the DSL's groupBy
 * re-keys, so it inserts a repartition topic. The input is keyed by serviceId and every group key
 * starts with serviceId, so the data is already co-partitioned; the repartition would only add a
 * second trip through the broker and, worse, change the semantics: stream time would then be per
 * repartition partition, mixing all input partitions, so which records count as late would differ
 * from StreamMetrics (stream time per input partition) and the outputs could not be compared.
 * (KIP-759 proposes a DSL hint for exactly this case.) Everything else is what the DSL does: a
 * changelogged, cached state store keyed by (window, start, series), the aggregate through its serde
 * on every update, and the DSL's lateness rule (a window accepts a record while stream time < end +
 * grace).
 *
 * <p>Emission, the same as StreamMetrics with EMIT_INTERVAL_MS = COMMIT_INTERVAL_MS: every
 * EMIT_INTERVAL_MS of wall time the windows changed since the last emission are sent as updates
 * (header emit=update, final=false); when stream time reaches end + grace a window's one final record
 * is sent (emit=final, final=true) and its state deleted. This is the DSL's "emit on update, flushed
 * by the cache at each commit" plus the final that suppress(untilWindowCloses) would give.
 */
final class WindowAggregateProcessor implements Processor<String, byte[], String, byte[]> {
  static final String STORE = "windows";
  static final String META_STORE = "meta";
  private static final String STREAM_TIME_KEY = "streamTime";

  private final long graceMs;
  private final long emitIntervalMs;
  private final Stats stats;

  private ProcessorContext<String, byte[]> context;
  private KeyValueStore<String, Slice> store;
  private KeyValueStore<String, Long> meta;
  private long streamTime = Long.MIN_VALUE;
  /** Open windows by the stream time at which they close (end + grace): what to finalize next. */
  private final TreeMap<Long, List<String>> closing = new TreeMap<>();
  private final Set<String> open = new HashSet<>();
  private final LinkedHashSet<String> dirty = new LinkedHashSet<>();

  WindowAggregateProcessor(long graceMs, long emitIntervalMs, Stats stats) {
    this.graceMs = graceMs;
    this.emitIntervalMs = emitIntervalMs;
    this.stats = stats;
  }

  @Override
  public void init(ProcessorContext<String, byte[]> context) {
    this.context = context;
    this.store = context.getStateStore(STORE);
    this.meta = context.getStateStore(META_STORE);
    Long t = meta.get(STREAM_TIME_KEY);
    if (t != null) streamTime = t;
    // After a restore the open-window index is rebuilt from the store, which is the truth.
    try (KeyValueIterator<String, Slice> it = store.all()) {
      while (it.hasNext()) {
        KeyValue<String, Slice> kv = it.next();
        track(kv.key, closeAt(kv.key));
      }
    }
    context.schedule(Duration.ofMillis(emitIntervalMs), PunctuationType.WALL_CLOCK_TIME, this::emitUpdates);
  }

  @Override
  public void process(Record<String, byte[]> record) {
    Event e = Event.parse(record.value());
    if (e == null) {
      stats.invalid.increment();
      return;
    }
    long ts = e.ts();
    double value = e.value();
    stats.processed.increment();
    String series = e.series();
    String rollup = e.rollup();
    boolean accepted = false;
    for (int w = 0; w < WindowDef.ALL.length; w++) {
      WindowDef def = WindowDef.ALL[w];
      for (long start = ts - Math.floorMod(ts, def.advanceMs()); start > ts - def.sizeMs() && start >= 0; start -= def.advanceMs()) {
        long end = start + def.sizeMs();
        // Judged against stream time before this record advances it, as StreamMetrics does; for a
        // window containing the record this is the same decision as the DSL's (max(st, ts) < end + grace).
        if (streamTime != Long.MIN_VALUE && streamTime >= end + graceMs) continue;
        accepted = true;
        update(w + "|" + start + "|" + series, end, value);
        if (rollup != null) update(w + "|" + start + "|" + rollup, end, value);
      }
    }
    if (!accepted) stats.late.increment();
    if (ts > streamTime) {
      streamTime = ts;
      meta.put(STREAM_TIME_KEY, streamTime);
      closeUpTo(streamTime);
    }
  }

  private void update(String key, long end, double value) {
    Slice agg = store.get(key);
    if (agg == null) {
      agg = new Slice();
      track(key, end + graceMs);
    }
    agg.add(value);
    store.put(key, agg);
    dirty.add(key);
  }

  private void track(String key, long closeAt) {
    if (open.add(key)) closing.computeIfAbsent(closeAt, k -> new ArrayList<>()).add(key);
  }

  private void closeUpTo(long time) {
    while (!closing.isEmpty() && closing.firstKey() <= time) {
      Map.Entry<Long, List<String>> first = closing.pollFirstEntry();
      for (String key : first.getValue()) {
        open.remove(key);
        dirty.remove(key);
        Slice agg = store.get(key);
        if (agg == null) continue;
        emit(key, agg, true);
        store.delete(key);
      }
    }
  }

  private void emitUpdates(long wallNow) {
    if (dirty.isEmpty()) return;
    for (String key : dirty) {
      Slice agg = store.get(key);
      if (agg != null) emit(key, agg, false);
    }
    dirty.clear();
  }

  private long closeAt(String key) {
    String[] p = key.split("\\|", 3);
    WindowDef def = WindowDef.ALL[Integer.parseInt(p[0])];
    return Long.parseLong(p[1]) + def.sizeMs() + graceMs;
  }

  private void emit(String key, Slice agg, boolean fin) {
    String[] p = key.split("\\|", 3);
    WindowDef def = WindowDef.ALL[Integer.parseInt(p[0])];
    long now = System.currentTimeMillis();
    byte[] json =
        AggregateCodec.encode(
            def, Long.parseLong(p[1]), p[2], agg.count, agg.sum, agg.min, agg.max, agg.digest, fin, streamTime, now);
    AggregateJson.forward(context, def, p[2], json, fin, now);
    if (fin) stats.finals.increment();
    else stats.updates.increment();
  }

  /** Counters printed by the peer at exit (one instance shared by the tasks of the stream thread). */
  static final class Stats {
    final LongAdder processed = new LongAdder();
    final LongAdder invalid = new LongAdder();
    final LongAdder late = new LongAdder();
    final LongAdder updates = new LongAdder();
    final LongAdder finals = new LongAdder();
  }
}
