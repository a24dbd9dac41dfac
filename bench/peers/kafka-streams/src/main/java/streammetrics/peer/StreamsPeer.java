package streammetrics.peer;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.CountDownLatch;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
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
 *   PEER_MODE            tuned (SliceProcessor, tuned clients) | naive (WindowAggregateProcessor, defaults)
 *   PEER_STORE           naive only: rocksdb (the DSL default) | memory
 *   PEER_THREADS         tuned: the number of cores; naive: 1
 *   GRACE_MS 10000, COMMIT_INTERVAL_MS 100, EMIT_INTERVAL_MS 100
 * </pre>
 *
 * Prints "peer: running" once the instance is RUNNING, and a JSON line of counters at shutdown
 * (SIGTERM or SIGINT close the streams instance cleanly).
 */
public final class StreamsPeer {
  /** The tuned topology: SliceProcessor over one changelogged in-memory store, no record cache. */
  private static Topology tunedTopology(
      String input, long grace, long emit, long commit, WindowAggregateProcessor.Stats stats) {
    Topology topology = new Topology();
    topology.addSource("source", Serdes.String().deserializer(), Serdes.ByteArray().deserializer(), input);
    topology.addProcessor("aggregate", () -> new SliceProcessor(grace, emit, commit, stats), "source");
    // No caching: the processor already coalesces writes to one per dirty slice per commit, so a
    // cache would only copy the bytes once more before the changelog.
    topology.addStateStore(
        Stores.keyValueStoreBuilder(
                Stores.inMemoryKeyValueStore(SliceProcessor.STORE), Serdes.String(), Serdes.ByteArray())
            .withCachingDisabled()
            .withLoggingEnabled(Map.of()),
        "aggregate");
    return topology;
  }

  /** The typical code: a digest per window through its serde on every update (see WindowAggregateProcessor). */
  private static Topology naiveTopology(
      String input, boolean rocks, long grace, long emit, WindowAggregateProcessor.Stats stats) {
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
    return topology;
  }

  /**
   * Client settings an operator would set for a throughput-bound EOS job on a local broker: bigger
   * polls and fetches (the input is many small records), producer batches that fill within a commit
   * interval, no record cache (see tunedTopology).
   */
  private static void tune(Properties props) {
    props.put(StreamsConfig.STATESTORE_CACHE_MAX_BYTES_CONFIG, 0L);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_POLL_RECORDS_CONFIG), 5000);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.MAX_PARTITION_FETCH_BYTES_CONFIG), 4 * 1024 * 1024);
    props.put(StreamsConfig.consumerPrefix(ConsumerConfig.FETCH_MAX_BYTES_CONFIG), 64 * 1024 * 1024);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.LINGER_MS_CONFIG), 5);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.BATCH_SIZE_CONFIG), 256 * 1024);
    props.put(StreamsConfig.producerPrefix(ProducerConfig.BUFFER_MEMORY_CONFIG), 128L * 1024 * 1024);
  }

  public static void main(String[] args) throws InterruptedException {
    Map<String, String> env = System.getenv();
    PeerEnv run = PeerEnv.read(env, "peer-", "streammetrics-peer");
    String brokers = run.brokers();
    String input = run.input();
    String outputPrefix = run.outputPrefix();
    String appId = run.appId();
    String stateDir =
        env.getOrDefault("PEER_STATE_DIR", Path.of(System.getProperty("java.io.tmpdir"), "kafka-streams").toString());
    boolean tuned = !"naive".equals(env.getOrDefault("PEER_MODE", "tuned"));
    boolean rocks = !tuned && !"memory".equals(env.getOrDefault("PEER_STORE", "rocksdb"));
    int cores = Runtime.getRuntime().availableProcessors();
    int threads = Integer.parseInt(env.getOrDefault("PEER_THREADS", tuned ? String.valueOf(cores) : "1"));
    long grace = run.graceMs();
    long commit = run.commitIntervalMs();
    long emit = run.emitIntervalMs();

    WindowAggregateProcessor.Stats stats = new WindowAggregateProcessor.Stats();
    Topology topology = tuned ? tunedTopology(input, grace, emit, commit, stats) : naiveTopology(input, rocks, grace, emit, stats);
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
    if (tuned) tune(props);
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
    System.out.println("peer: " + appId + " " + input + " -> " + outputPrefix + "metrics-aggregated-*, mode "
        + (tuned ? "tuned" : "naive") + ", store " + (tuned ? "memory (slices)" : rocks ? "rocksdb" : "memory")
        + ", threads " + threads + ", grace " + grace + " ms, commit " + commit + " ms, emit " + emit + " ms");
    streams.start();
    done.await();
    System.exit(streams.state() == KafkaStreams.State.ERROR ? 1 : 0);
  }
}
