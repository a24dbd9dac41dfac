package streammetrics.peer;

import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;

/**
 * The store serde of one window's running aggregate (a Slice: exact count/sum/min/max plus a
 * MergingDigest(100)). This is the value a DSL windowed aggregate would keep; like the DSL it goes
 * through this serde on every store read and write (the record cache holds bytes, not objects).
 */
final class Agg {
  private Agg() {}

  static Serde<Slice> serde() {
    Serializer<Slice> ser = (topic, a) -> a == null ? null : a.toBytes();
    Deserializer<Slice> de = (topic, bytes) -> bytes == null ? null : Slice.fromBytes(bytes);
    return Serdes.serdeFrom(ser, de);
  }
}
