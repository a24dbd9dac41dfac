package streammetrics.peer;

import com.fasterxml.jackson.core.JsonGenerator;
import com.tdunning.math.stats.MergingDigest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.Base64;

/** The aggregate record every JVM peer writes: the JSON of libs/contracts' AggregateRecord. */
final class AggregateCodec {
  private AggregateCodec() {}

  /** The record key: the serviceId of a series "serviceId|metricName|tagsJson". */
  static String serviceId(String series) {
    return series.substring(0, series.indexOf('|'));
  }

  /** One window's aggregate as JSON; series is "serviceId|metricName|tagsJson". */
  static byte[] encode(
      WindowDef def,
      long start,
      String series,
      long count,
      double sum,
      double min,
      double max,
      MergingDigest digest,
      boolean fin,
      long streamTime,
      long emittedAt) {
    String[] p = series.split("\\|", 3);
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = Event.JSON.getFactory().createGenerator(out)) {
      g.writeStartObject();
      g.writeStringField("serviceId", p[0]);
      g.writeStringField("metricName", p[1]);
      g.writeFieldName("tags");
      if (p[2].isEmpty()) {
        g.writeStartObject();
        g.writeEndObject();
      } else {
        g.writeRawValue(p[2]);
      }
      g.writeObjectFieldStart("window");
      g.writeStringField("type", def.type());
      g.writeStringField("size", def.size());
      g.writeNumberField("start", start);
      g.writeNumberField("end", start + def.sizeMs());
      g.writeEndObject();
      g.writeNumberField("count", count);
      g.writeNumberField("sum", sum);
      g.writeNumberField("min", min);
      g.writeNumberField("max", max);
      g.writeNumberField("avg", sum / count);
      g.writeNumberField("rate", count / (def.sizeMs() / 1000.0));
      g.writeNumberField("p50", digest.quantile(0.5));
      g.writeNumberField("p95", digest.quantile(0.95));
      g.writeNumberField("p99", digest.quantile(0.99));
      // Base64 of the Java MergingDigest small encoding (not libs/tdigest's format).
      digest.compress();
      ByteBuffer buf = ByteBuffer.allocate(digest.smallByteSize());
      digest.asSmallBytes(buf);
      g.writeStringField("digest", Base64.getEncoder().encodeToString(buf.array()));
      g.writeBooleanField("final", fin);
      g.writeNumberField("streamTime", streamTime);
      g.writeNumberField("emittedAt", emittedAt);
      g.writeEndObject();
    } catch (IOException ex) {
      throw new IllegalStateException(ex);
    }
    return out.toByteArray();
  }
}
