package streammetrics.peer;

import com.tdunning.math.stats.MergingDigest;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Forwards the aggregate record both Kafka Streams topologies write (AggregateCodec) to its sink. */
final class AggregateJson {
  private AggregateJson() {}

  /** Forwards one window's aggregate to its sink; series is "serviceId|metricName|tagsJson". */
  static void forward(
      ProcessorContext<String, byte[]> context,
      WindowDef def,
      long start,
      String series,
      long count,
      double sum,
      double min,
      double max,
      MergingDigest digest,
      boolean fin,
      long streamTime) {
    long now = System.currentTimeMillis();
    byte[] json = AggregateCodec.encode(def, start, series, count, sum, min, max, digest, fin, streamTime, now);
    RecordHeaders headers = new RecordHeaders();
    headers.add("emit", (fin ? "final" : "update").getBytes(StandardCharsets.UTF_8));
    context.forward(
        new Record<>(AggregateCodec.serviceId(series), json, now, headers), "sink-" + def.id());
  }
}
