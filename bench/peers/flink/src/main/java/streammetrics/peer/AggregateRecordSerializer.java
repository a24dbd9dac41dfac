package streammetrics.peer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.DefaultKafkaDatasetIdentifier;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacet;
import org.apache.flink.connector.kafka.lineage.KafkaDatasetFacetProvider;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/**
 * Writes an aggregate to its window's topic, keyed by serviceId, with the emit header of the others.
 * It names its topics (KafkaDatasetFacetProvider) because the POOLING transaction naming needs them
 * to find and abort a previous run's open transactions.
 */
final class AggregateRecordSerializer
    implements KafkaRecordSerializationSchema<AggregateOut>, KafkaDatasetFacetProvider {
  private static final List<Header> FINAL = List.of(new RecordHeader("emit", "final".getBytes(StandardCharsets.UTF_8)));
  private static final List<Header> UPDATE = List.of(new RecordHeader("emit", "update".getBytes(StandardCharsets.UTF_8)));

  private final List<String> topics;

  AggregateRecordSerializer(String outputPrefix) {
    this.topics = Arrays.stream(WindowDef.ALL).map(w -> w.topic(outputPrefix)).toList();
  }

  @Override
  public Optional<KafkaDatasetFacet> getKafkaDatasetFacet() {
    return Optional.of(new DefaultKafkaDatasetFacet(DefaultKafkaDatasetIdentifier.ofTopics(topics)));
  }

  @Override
  public ProducerRecord<byte[], byte[]> serialize(AggregateOut r, KafkaSinkContext context, Long timestamp) {
    return new ProducerRecord<>(
        r.topic, null, null, r.key.getBytes(StandardCharsets.UTF_8), r.json, r.fin ? FINAL : UPDATE);
  }
}
