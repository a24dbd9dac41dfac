package streammetrics.peer;

import com.tdunning.math.stats.MergingDigest;
import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * One window's running aggregate: exact count/sum/min/max plus a MergingDigest(100). This is the
 * value a DSL windowed aggregate would keep; like the DSL it goes through its serde on every
 * store read and write (the record cache holds bytes, not objects).
 */
final class Agg {
  static final double COMPRESSION = Slice.COMPRESSION;

  long count;
  double sum;
  double min = Double.POSITIVE_INFINITY;
  double max = Double.NEGATIVE_INFINITY;
  MergingDigest digest = new MergingDigest(COMPRESSION);

  void add(double v) {
    count++;
    sum += v;
    if (v < min) min = v;
    if (v > max) max = v;
    digest.add(v);
  }

  static Serde<Agg> serde() {
    Serializer<Agg> ser =
        (topic, a) -> {
          if (a == null) return null;
          a.digest.compress();
          ByteBuffer buf = ByteBuffer.allocate(8 + 8 + 8 + 8 + a.digest.smallByteSize());
          buf.putLong(a.count).putDouble(a.sum).putDouble(a.min).putDouble(a.max);
          a.digest.asSmallBytes(buf);
          return buf.array();
        };
    Deserializer<Agg> de =
        (topic, bytes) -> {
          if (bytes == null) return null;
          ByteBuffer buf = ByteBuffer.wrap(bytes);
          Agg a = new Agg();
          a.count = buf.getLong();
          a.sum = buf.getDouble();
          a.min = buf.getDouble();
          a.max = buf.getDouble();
          a.digest = MergingDigest.fromBytes(buf);
          return a;
        };
    return Serdes.serdeFrom(ser, de);
  }
}
