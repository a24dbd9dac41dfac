package streammetrics.peer;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.state.KeyValueBytesStoreSupplier;
import org.apache.kafka.streams.state.Stores;

/**
 * Kafka Streams peer of the StreamMetrics stream-processor (bench/harness runs it). Configuration
 * from the environment, all optional:
 *
 * <pre>
 *   KAFKA_BROKERS        127.0.0.1:9092
 *   PEER_INPUT_TOPIC     metrics-events
 *   PEER_OUTPUT_PREFIX   peer-          outputs go to &lt;prefix&gt;metrics-aggregated-{1m,5m,15m,1m-hop10s}
 *   PEER_APPLICATION_ID  streammetrics-peer (use a fresh one per run)
 *   PEER_STATE_DIR       java.io.tmpdir/kafka-streams
 *   PEER_STORE           rocksdb (the DSL default) | memory
 *   PEER_THREADS         1
 *   GRACE_MS 10000, COMMIT_INTERVAL_MS 100, EMIT_INTERVAL_MS 100
 * </pre>
 *
 * Prints "peer: running" once the instance is RUNNING, and a JSON line of counters at shutdown
 * (SIGTERM or SIGINT close the streams instance cleanly).
 */
public final class StreamsPeer {
  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    String brokers = env.getOrDefault("KAFKA_BROKERS", "127.0.0.1:9092");
    String input = env.getOrDefault("PEER_INPUT_TOPIC", "metrics-events");
    String outputPrefix = env.getOrDefault("PEER_OUTPUT_PREFIX", "peer-");
    String appId = env.getOrDefault("PEER_APPLICATION_ID", "streammetrics-peer");
    String stateDir =
        env.getOrDefault("PEER_STATE_DIR", Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams").toString());
    boolean rocks = !"memory".equals(env.getOrDefault("PEER_STORE", "rocksdb"));
    int threads = Integer.parseInt(env.getOrDefault("PEER_THREADS", "1"));
    long grace = Long.parseLong(env.getOrDefault("GRACE_MS", "10000"));
    long commit = Long.parseLong(env.getOrDefault("COMMIT_INTERVAL_MS", "100"));
    long emit = Math.max(commit, Long.parseLong(env.getOrDefault("EMIT_INTERVAL_MS", "100")));

    WindowAggregateProcessor.Stats stats = new WindowAggregateProcessor.Stats();
    Topology topology = new Topology();
    topology.addSource("source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), input);
    topology.addProcessor("aggregate", () -> new WindowAggregateProcessor(grace, emit, stats), "source");
    KeyValueBytesStoreSupplier windows =
        rocks
            ? Stores.persistentKeyValueStore(WindowAggregateProcessor.STORE)
            : Stores.inMemoryKeyValueStore(WindowAggregateProcessor.STORE);
    KeyValueBytesStoreSupplier meta =
        rocks
            ? Stores.persistentKeyValueStore(WindowAggregateProcessor.META_STORE)
            : Stores.inMemoryKeyValueStore(WindowAggregateProcessor.META_STORE);
    // Caching and change-logging on, as a DSL aggregation store has them by default.
    topology.addStateStore(
        Stores.keyValueStoreBuilder(windows, Serdes.String(), Agg.serde()).withCachingEnabled(), "aggregate");
    topology.addStateStore(
        Stores.keyValueStoreBuilder(meta, Serdes.String(), Serdes.Long()).withCachingEnabled(), "aggregate");
    for (WindowDef w : WindowDef.ALL) {
      topology.addSink(
          "sink-" + w.id(),
          w.topic(outputPrefix),
          Serdes.String().serializer(),
          Serdes.ByteArray().serializer(),
          "aggregate");
    }

    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, brokers);
    props.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    props.put(StreamsConfig.COMMIT_INTERVAL_MS_CONFIG, commit);
    props.put(StreamsConfig.NUM_STREAM_THREADS_CONFIG, threads);
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir);
    props.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, Integer.parseInt(env.getOrDefault("KAFKA_REPLICATION_FACTOR", "1")));
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");

    KafkaStreams streams = new KafkaStreams(topology, props);
    CountDownLatch done = new CountDownLatch(1);
    streams.setStateListener(
        (now, before) -> {
          if (now == KafkaStreams.State.RUNNING) System.out.println("peer: running");
          if (now == KafkaStreams.State.ERROR || now == KafkaStreams.State.NOT_RUNNING) done.countDown();
        });
    streams.setUncaughtExceptionHandler(
        ex -> {
          System.err.println("peer: stream thread failed: " + ex);
          return org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse
              .SHUTDOWN_CLIENT;
        });
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  streams.close();
                  System.out.printf(
                      "{\"processed\":%d,\"invalid\":%d,\"late\":%d,\"updates\":%d,\"finals\":%d}%n",
                      stats.processed.sum(), stats.invalid.sum(), stats.late.sum(), stats.updates.sum(), stats.finals.sum());
                  System.out.flush();
                }));
    System.out.println("peer: " + appId + " " + input + " -> " + outputPrefix + "metrics-aggregated-*, store "
        + (rocks ? "rocksdb" : "memory") + ", grace " + grace + " ms, commit " + commit + " ms, emit " + emit + " ms");
    streams.start();
    done.await();
    System.exit(streams.state() == KafkaStreams.State.ERROR ? 1 : 0);
  }
}
