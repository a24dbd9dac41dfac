package streammetrics.peer;

import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.streams.processor.api.ProcessorContext;
import org.apache.kafka.streams.processor.api.Record;

/** Forwards an aggregate record (AggregateCodec's JSON) to its window's sink, keyed by serviceId. */
final class AggregateJson {
  private AggregateJson() {}

  /** series is "serviceId|metricName|tagsJson"; the emit header says update or final. */
  static void forward(
      ProcessorContext<String, byte[]> context, WindowDef def, String series, byte[] json, boolean fin, long now) {
    RecordHeaders headers = new RecordHeaders();
    headers.add("emit", (fin ? "final" : "update").getBytes(StandardCharsets.UTF_8));
    context.forward(
        new Record<>(AggregateCodec.serviceId(series), json, now, headers), "sink-" + def.id());
  }
}
