package streammetrics.peer;

import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.connector.kafka.source.reader.deserializer.KafkaRecordDeserializationSchema;
import org.apache.flink.util.Collector;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Decodes an input record in the source (Event.parse, the validation both peers share) into the
 * points it contributes: (series, value, event time), plus (rollup, value, event time) when the
 * event has tags. Doing it here, inside the source's reader thread, saves a separate flatMap
 * operator; invalid events produce nothing.
 */
final class EventPoints implements KafkaRecordDeserializationSchema<Tuple3<String, Double, Long>> {
  static final TypeInformation<Tuple3<String, Double, Long>> TYPE = Types.TUPLE(Types.STRING, Types.DOUBLE, Types.LONG);

  @Override
  public void deserialize(ConsumerRecord<byte[], byte[]> record, Collector<Tuple3<String, Double, Long>> out) {
    Event e = Event.parse(record.value());
    if (e == null) return;
    out.collect(Tuple3.of(e.series(), e.value(), e.ts()));
    if (e.rollup() != null) out.collect(Tuple3.of(e.rollup(), e.value(), e.ts()));
  }

  @Override
  public TypeInformation<Tuple3<String, Double, Long>> getProducedType() {
    return TYPE;
  }
}
