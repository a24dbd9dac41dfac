package streammetrics.peer;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple3;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.TransactionNamingStrategy;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.windowing.assigners.SlidingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.TumblingEventTimeWindows;
import org.apache.flink.streaming.api.windowing.assigners.WindowAssigner;
import org.apache.flink.streaming.api.windowing.windows.TimeWindow;
import sun.misc.Signal;

/**
 * Apache Flink peer of the StreamMetrics stream-processor (bench/harness runs it): the job as a
 * DataStream program on a local MiniCluster in this JVM, parallelism = cores. Configuration from the
 * environment, all optional:
 *
 * <pre>
 *   KAFKA_BROKERS        127.0.0.1:9092
 *   PEER_INPUT_TOPIC     metrics-events
 *   PEER_OUTPUT_PREFIX   flink-         outputs go to &lt;prefix&gt;metrics-aggregated-{1m,5m,15m,1m-hop10s}
 *   PEER_APPLICATION_ID  streammetrics-flink (group id and transactional id prefix; fresh per run)
 *   PEER_STATE_DIR       java.io.tmpdir/flink-peer (checkpoints of this run, deleted at exit)
 *   PEER_PARALLELISM     the number of cores
 *   GRACE_MS 10000, COMMIT_INTERVAL_MS 100 (the checkpoint interval), EMIT_INTERVAL_MS 100
 * </pre>
 *
 * Prints "peer: running" after the first completed checkpoint (RunningSignal). SIGTERM or SIGINT stop the job with
 * a savepoint, which commits the sink's last transaction, then the JVM exits.
 */
public final class FlinkPeer {
  /** How far in event time a partition may run ahead of the slowest (watermark alignment). */
  private static final Duration MAX_DRIFT = Duration.ofSeconds(30);
  /** How often the readers agree on the alignment: a paused partition resumes at the next update at the earliest. */
  private static final Duration ALIGNMENT_UPDATE = Duration.ofMillis(100);

  private FlinkPeer() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> env = System.getenv();
    PeerEnv run = PeerEnv.read(env, "flink-", "streammetrics-flink");
    Path stateDir =
        Path.of(env.getOrDefault("PEER_STATE_DIR", Path.of(System.getProperty("java.io.tmpdir"), "flink-peer").toString()))
            .resolve(run.appId())
            .toAbsolutePath();
    int parallelism =
        Integer.parseInt(env.getOrDefault("PEER_PARALLELISM", String.valueOf(Runtime.getRuntime().availableProcessors())));

    Configuration conf = new Configuration();
    // Heap state: accumulators stay Java objects updated in place; a checkpoint snapshots them
    // asynchronously (copy-on-write) through SliceSerializer into files under stateDir.
    conf.set(StateBackendOptions.STATE_BACKEND, "hashmap");
    conf.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    conf.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, stateDir.resolve("checkpoints").toUri().toString());
    conf.set(CheckpointingOptions.SAVEPOINT_DIRECTORY, stateDir.resolve("savepoints").toUri().toString());
    // Exactly once at the others' commit interval: a checkpoint is what commits the source offsets
    // and the sink's Kafka transaction, so it plays the role of their commit.
    conf.set(CheckpointingOptions.CHECKPOINTING_INTERVAL, Duration.ofMillis(run.commitIntervalMs()));
    conf.set(CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
    // Chained operators hand records over without a defensive copy (nothing here keeps or mutates an input).
    conf.set(PipelineOptions.OBJECT_REUSE, true);
    // A final can be emitted no earlier than the watermark passes the window: generate it at the emit cadence.
    conf.set(PipelineOptions.AUTO_WATERMARK_INTERVAL, Duration.ofMillis(run.emitIntervalMs()));
    StreamExecutionEnvironment see = StreamExecutionEnvironment.createLocalEnvironment(parallelism, conf);

    KafkaSource<Tuple3<String, Double, Long>> source =
        KafkaSource.<Tuple3<String, Double, Long>>builder()
            .setBootstrapServers(run.brokers())
            .setTopics(run.input())
            .setGroupId(run.appId())
            .setStartingOffsets(OffsetsInitializer.earliest())
            .setDeserializer(new EventPoints())
            .setProperty("isolation.level", "read_committed")
            // The input is many small records: bigger polls and fetches, as the tuned Kafka Streams peer.
            .setProperty("max.poll.records", "5000")
            .setProperty("max.partition.fetch.bytes", String.valueOf(4 * 1024 * 1024))
            .setProperty("fetch.max.bytes", String.valueOf(64 * 1024 * 1024))
            .build();
    // Watermarks per input partition (split), bounded out-of-orderness = grace: a window closes
    // when the watermark (the minimum over all partitions) passes end + grace. No idleness timeout:
    // every partition of the bench input carries data, and idleness would let the watermark pass a
    // partition that is merely behind. Watermark alignment pauses a partition that runs more than
    // MAX_DRIFT ahead of the slowest: without it, on a backlog one fetch can put a partition minutes
    // of event time ahead, every window stays open that much longer, and the open digests (about
    // 24 KB each) outgrow the heap.
    WatermarkStrategy<Tuple3<String, Double, Long>> watermarks =
        WatermarkStrategy.<Tuple3<String, Double, Long>>forBoundedOutOfOrderness(Duration.ofMillis(run.graceMs()))
            .withTimestampAssigner((point, kafkaTime) -> point.f2)
            .withWatermarkAlignment("input", MAX_DRIFT, ALIGNMENT_UPDATE);
    DataStream<Tuple3<String, Double, Long>> points = see.fromSource(source, watermarks, "kafka " + run.input());
    KeyedStream<Tuple3<String, Double, Long>, String> bySeries = points.keyBy(p -> p.f0, Types.STRING);

    TypeInformation<AggregateOut> outType = TypeInformation.of(AggregateOut.class);
    List<DataStream<AggregateOut>> outputs = new ArrayList<>();
    for (WindowDef def : WindowDef.ALL) {
      WindowAssigner<Object, TimeWindow> assigner =
          def.advanceMs() == def.sizeMs()
              ? TumblingEventTimeWindows.of(Duration.ofMillis(def.sizeMs()))
              : SlidingEventTimeWindows.of(Duration.ofMillis(def.sizeMs()), Duration.ofMillis(def.advanceMs()));
      outputs.add(
          bySeries
              .window(assigner)
              .trigger(new UpdatesThenFinalTrigger(run.emitIntervalMs()))
              .aggregate(
                  new DigestAggregate(),
                  new EmitWindow(def, run.outputPrefix(), run.graceMs()),
                  SliceTypeInfo.INSTANCE,
                  SliceTypeInfo.INSTANCE,
                  outType)
              .name("window " + def.id())
              .uid("window-" + def.id()));
    }
    DataStream<AggregateOut> all = outputs.get(0);
    for (DataStream<AggregateOut> o : outputs.subList(1, outputs.size())) all = all.union(o);

    KafkaSink<AggregateOut> sink =
        KafkaSink.<AggregateOut>builder()
            .setBootstrapServers(run.brokers())
            .setRecordSerializer(new AggregateRecordSerializer(run.outputPrefix()))
            .setDeliveryGuarantee(DeliveryGuarantee.EXACTLY_ONCE)
            .setTransactionalIdPrefix(run.appId())
            // A checkpoint every 100 ms would otherwise mint a new transactional id each time.
            .setTransactionNamingStrategy(TransactionNamingStrategy.POOLING)
            // Below the broker's transaction.max.timeout.ms; a transaction lives one checkpoint.
            .setProperty("transaction.timeout.ms", "60000")
            .setProperty("linger.ms", "5")
            .setProperty("batch.size", String.valueOf(256 * 1024))
            .setProperty("buffer.memory", String.valueOf(128L * 1024 * 1024))
            .build();
    all.map(new RunningSignal(), outType).name("running signal").uid("running-signal").sinkTo(sink).name("kafka sink").uid("kafka-sink");

    System.out.println("peer: flink " + run.appId() + " " + run.input() + " -> " + run.outputPrefix() + "metrics-aggregated-*, parallelism "
        + parallelism + ", grace " + run.graceMs() + " ms, checkpoint " + run.commitIntervalMs() + " ms, emit " + run.emitIntervalMs() + " ms");
    JobClient job = see.executeAsync("streammetrics-flink-peer");
    CountDownLatch stop = new CountDownLatch(1);
    // A signal handler, not a shutdown hook: the savepoint needs the whole MiniCluster, and shutdown
    // hooks (Flink registers its own, e.g. for the blob server and temp dirs) run concurrently.
    Signal.handle(new Signal("TERM"), s -> stop.countDown());
    Signal.handle(new Signal("INT"), s -> stop.countDown());
    Thread waiter =
        new Thread(
            () -> {
              try {
                job.getJobExecutionResult().get();
              } catch (Exception ex) {
                System.err.println("peer: job failed: " + ex);
              }
              stop.countDown();
            });
    waiter.setDaemon(true);
    waiter.start();
    stop.await();
    int code = 0;
    try {
      String status = job.getJobStatus().get(5, TimeUnit.SECONDS).toString();
      if ("RUNNING".equals(status)) {
        job.stopWithSavepoint(false, stateDir.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get(15, TimeUnit.SECONDS);
      } else {
        System.err.println("peer: job is " + status);
        code = 1;
      }
    } catch (Exception ex) {
      System.err.println("peer: stop with savepoint failed: " + ex);
      code = 1;
    }
    deleteRecursively(stateDir);
    System.out.flush();
    System.exit(code);
  }

  private static void deleteRecursively(Path dir) {
    if (!Files.exists(dir)) return;
    try (Stream<Path> paths = Files.walk(dir)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException ex) {
      System.err.println("peer: could not delete " + dir + ": " + ex);
    }
  }
}
