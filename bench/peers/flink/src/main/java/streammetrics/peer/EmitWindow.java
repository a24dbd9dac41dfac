package streammetrics.peer;

import com.tdunning.math.stats.MergingDigest;
import org.apache.flink.streaming.api.functions.windowing.ProcessWindowFunction;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import org.apache.flink.util.Collector;

/**
 * Turns a fired window into the aggregate record (AggregateCodec, shared with the Kafka Streams
 * peer). A firing at or after the watermark passed the window's end is its final; earlier ones are
 * interim updates. streamTime is the stream time the watermark stands for (watermark + grace + 1
 * under bounded out-of-orderness = grace).
 */
final class EmitWindow extends ProcessWindowFunction<Slice, AggregateOut, String, TimeWindow> {
  private final WindowDef def;
  private final String topic;
  private final long graceMs;

  EmitWindow(WindowDef def, String outputPrefix, long graceMs) {
    this.def = def;
    this.topic = def.topic(outputPrefix);
    this.graceMs = graceMs;
  }

  @Override
  public void process(String series, Context ctx, Iterable<Slice> accs, Collector<AggregateOut> out) {
    Slice a = accs.iterator().next();
    TimeWindow w = ctx.window();
    long watermark = ctx.currentWatermark();
    boolean fin = watermark >= w.maxTimestamp();
    long streamTime = watermark == Long.MIN_VALUE ? 0 : watermark + graceMs + 1;
    // An interim update reads a copy: quantile() compresses the digest it is called on, and
    // compressing the accumulator at every update (ten times a second) merges centroids on a schedule
    // of its own, which moved medians of integer-valued series off their exact value (p50 2.93 where
    // every value at ranks 48-52% is 3). The final may use the accumulator itself; it is purged next.
    MergingDigest digest = fin ? a.digest : DigestState.copy(a.digest);
    byte[] json =
        AggregateCodec.encode(
            def, w.getStart(), series, a.count, a.sum, a.min, a.max, digest, fin, streamTime, System.currentTimeMillis());
    out.collect(new AggregateOut(topic, AggregateCodec.serviceId(series), json, fin));
  }
}
