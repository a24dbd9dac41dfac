import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * Produces metric events to Kafka exactly as a Spring Boot service of the reference architecture
 * does: the stock Apache Kafka Java client with the producer settings the README recommends
 * (idempotent, acks=all, unbounded retries, five requests in flight, 32 KiB batches, 10 ms linger),
 * keyed by serviceId so that Kafka's own murmur2 partitioner places every service on one partition,
 * with the {@code __TypeId__} header Spring's JsonSerializer adds.
 *
 * <p>Input: a file with one JSON event per line, written by the interoperability e2e test. Each
 * line's bytes are sent unchanged as the value, so the test knows byte for byte what the platform
 * received.
 *
 * <p>With {@code --confluent-schema-id N} each value is framed in the Confluent wire format: magic
 * byte 0, the schema id as a 4-byte big-endian integer, then the JSON bytes. Confluent's
 * KafkaJsonSchemaSerializer writes exactly this frame, but it is published only to Confluent's own
 * Maven repository, not to Maven Central, so the program writes the frame itself and sends it with
 * the ByteArraySerializer.
 *
 * <p>Output: one JSON line on stdout with the number of acknowledged records and, per partition,
 * the count, first and last offset and the keys written there. Any send error, or fewer
 * acknowledgements than records, exits non-zero.
 *
 * <pre>
 * java -cp build:libs/* SeededProducer --bootstrap-servers 127.0.0.1:9092 --topic metrics-events \
 *   --compression snappy|lz4|zstd|gzip --input events.jsonl [--confluent-schema-id N]
 * </pre>
 */
public final class SeededProducer {
  private static final Set<String> CODECS = Set.of("snappy", "lz4", "zstd", "gzip");

  /**
   * Spring Kafka's JsonSerializer adds this header with the Java type of every value it writes;
   * the platform must ignore it, so the program sends it too.
   */
  private static final String TYPE_ID_HEADER = "__TypeId__";

  private static final byte[] TYPE_ID =
      "com.example.metrics.MetricEvent".getBytes(StandardCharsets.UTF_8);

  /**
   * Acknowledgements of one partition. Callbacks run on the producer's I/O thread and main reads
   * the totals after flush, so both sides synchronize on the map that holds these.
   */
  private static final class PartitionAcks {
    long count;
    long firstOffset = Long.MAX_VALUE;
    long lastOffset = -1;
    final Set<String> keys = new TreeSet<>();
  }

  private SeededProducer() {}

  public static void main(String[] args) {
    try {
      System.exit(run(args));
    } catch (IllegalArgumentException e) {
      System.err.println("usage error: " + e.getMessage());
      System.exit(2);
    } catch (Exception e) {
      System.err.println("failed: " + e);
      e.printStackTrace(System.err);
      System.exit(1);
    }
  }

  private static int run(String[] args) throws IOException {
    Map<String, String> opts = parse(args);
    String bootstrap = required(opts, "--bootstrap-servers");
    String topic = required(opts, "--topic");
    String compression = required(opts, "--compression");
    Path input = Path.of(required(opts, "--input"));
    if (!CODECS.contains(compression)) {
      throw new IllegalArgumentException("--compression must be one of " + CODECS);
    }
    Integer schemaId = null;
    if (opts.containsKey("--confluent-schema-id")) {
      schemaId = Integer.valueOf(opts.get("--confluent-schema-id"));
    }

    Properties props = new Properties();
    props.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ProducerConfig.CLIENT_ID_CONFIG, "interop-java-producer-" + compression);
    props.put(ProducerConfig.ACKS_CONFIG, "all");
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
    props.put(ProducerConfig.RETRIES_CONFIG, Integer.toString(Integer.MAX_VALUE));
    props.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, "5");
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, compression);
    props.put(ProducerConfig.BATCH_SIZE_CONFIG, "32768");
    props.put(ProducerConfig.LINGER_MS_CONFIG, "10");
    props.put(ProducerConfig.BUFFER_MEMORY_CONFIG, "67108864");
    props.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    props.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());

    ObjectMapper json = new ObjectMapper();
    Map<Integer, PartitionAcks> acks = new TreeMap<>();
    List<Exception> failures = new ArrayList<>();
    long sent = 0;
    long[] acknowledged = {0};

    try (KafkaProducer<String, byte[]> producer = new KafkaProducer<>(props);
        BufferedReader lines = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.isBlank()) continue;
        JsonNode event = json.readTree(line);
        JsonNode serviceId = event.get("serviceId");
        if (serviceId == null || !serviceId.isTextual()) {
          throw new IllegalArgumentException("line " + (sent + 1) + " has no string serviceId");
        }
        byte[] body = line.getBytes(StandardCharsets.UTF_8);
        byte[] value = schemaId == null ? body : confluentFrame(schemaId, body);
        String key = serviceId.asText();
        RecordHeaders headers = new RecordHeaders();
        headers.add(TYPE_ID_HEADER, TYPE_ID);
        producer.send(
            new ProducerRecord<>(topic, null, key, value, headers),
            (RecordMetadata md, Exception e) -> {
              synchronized (acks) {
                if (e != null) {
                  failures.add(e);
                  return;
                }
                acknowledged[0]++;
                PartitionAcks p = acks.computeIfAbsent(md.partition(), k -> new PartitionAcks());
                p.count++;
                p.firstOffset = Math.min(p.firstOffset, md.offset());
                p.lastOffset = Math.max(p.lastOffset, md.offset());
                p.keys.add(key);
              }
            });
        sent++;
      }
      // Every callback has run once flush returns: the close that follows has nothing to wait for.
      producer.flush();
    }

    synchronized (acks) {
      if (!failures.isEmpty()) {
        System.err.println(
            failures.size() + " of " + sent + " sends failed; first: " + failures.get(0));
        return 1;
      }
      if (acknowledged[0] != sent) {
        System.err.println("only " + acknowledged[0] + " of " + sent + " records acknowledged");
        return 1;
      }
      System.out.println(summary(acknowledged[0], compression, schemaId, acks));
    }
    return 0;
  }

  /** Confluent wire format: magic byte 0, 4-byte big-endian schema id, then the payload. */
  static byte[] confluentFrame(int schemaId, byte[] payload) {
    return ByteBuffer.allocate(5 + payload.length)
        .put((byte) 0)
        .putInt(schemaId)
        .put(payload)
        .array();
  }

  private static String summary(
      long acknowledged, String compression, Integer schemaId, Map<Integer, PartitionAcks> acks) {
    StringBuilder s = new StringBuilder();
    s.append("{\"acknowledged\":").append(acknowledged);
    s.append(",\"compression\":\"").append(compression).append('"');
    s.append(",\"confluentSchemaId\":").append(schemaId);
    s.append(",\"partitions\":{");
    boolean first = true;
    for (Map.Entry<Integer, PartitionAcks> e : acks.entrySet()) {
      PartitionAcks p = e.getValue();
      if (!first) s.append(',');
      first = false;
      s.append('"').append(e.getKey()).append("\":{\"count\":").append(p.count);
      s.append(",\"firstOffset\":").append(p.firstOffset);
      s.append(",\"lastOffset\":").append(p.lastOffset);
      s.append(",\"keys\":[");
      boolean firstKey = true;
      for (String k : p.keys) {
        if (!firstKey) s.append(',');
        firstKey = false;
        // Keys are serviceIds, which the event schema limits to [A-Za-z0-9._-]: nothing to escape.
        s.append('"').append(k).append('"');
      }
      s.append("]}");
    }
    return s.append("}}").toString();
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new TreeMap<>();
    for (int i = 0; i < args.length; i += 2) {
      if (!args[i].startsWith("--") || i + 1 >= args.length) {
        throw new IllegalArgumentException(
            "expected --option value pairs, got " + String.join(" ", args));
      }
      opts.put(args[i], args[i + 1]);
    }
    return opts;
  }

  private static String required(Map<String, String> opts, String name) {
    String v = opts.get(name);
    if (v == null || v.isEmpty()) throw new IllegalArgumentException(name + " is required");
    return v;
  }
}
