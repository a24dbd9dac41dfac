package streammetrics.peer;

import java.util.Map;

/**
 * The environment contract every JVM peer reads (bench/harness/systems.ts and flink.system.ts set
 * it): brokers, input topic, output prefix, application id and the run's timing. All optional.
 */
record PeerEnv(
    String brokers, String input, String outputPrefix, String appId, long graceMs, long commitIntervalMs, long emitIntervalMs) {
  static PeerEnv read(Map<String, String> env, String defaultOutputPrefix, String defaultAppId) {
    long commit = Long.parseLong(env.getOrDefault("COMMIT_INTERVAL_MS", "100"));
    return new PeerEnv(
        env.getOrDefault("KAFKA_BROKERS", "127.0.0.1:9092"),
        env.getOrDefault("PEER_INPUT_TOPIC", "metrics-events"),
        env.getOrDefault("PEER_OUTPUT_PREFIX", defaultOutputPrefix),
        env.getOrDefault("PEER_APPLICATION_ID", defaultAppId),
        Long.parseLong(env.getOrDefault("GRACE_MS", "10000")),
        commit,
        // Updates are emitted no more often than they can be committed.
        Math.max(commit, Long.parseLong(env.getOrDefault("EMIT_INTERVAL_MS", "100"))));
  }
}
