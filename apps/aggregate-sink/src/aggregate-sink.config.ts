import { bool, infraShape, int, loadConfig, type Env, topicPrefix } from '@streammetrics/config';
import type { SinkOptions } from '@streammetrics/sink';
import { compressionOf, kafkaSecurity } from '@streammetrics/kafka';
import { exitForRestart } from '@streammetrics/observability';

const shape = {
  ...infraShape,
  TOPIC_PREFIX: topicPrefix(),
  SINK_HTTP_PORT: int(0, 65535).default(9465),
  SINK_PARTITIONS_CONCURRENCY: int(1, 64).default(4),
  SINK_PG_POOL_SIZE: int(1, 100).default(6),
  SINK_RETRY_INITIAL_MS: int(1, 60_000).default(100),
  SINK_RETRY_MAX_MS: int(10, 300_000).default(5_000),
  SINK_MAINTENANCE: bool().default(true),
  SINK_MAINTENANCE_INTERVAL_MS: int(1_000, 86_400_000).default(60_000),
  ROLLUP_DELAY_MS: int(0, 86_400_000).default(300_000),
  ROLLUP_INITIAL_LOOKBACK_HOURS: int(1, 24 * 90).default(48),
  RETENTION_RAW_DAYS: int(1, 36_500).default(90),
  RETENTION_HOURLY_DAYS: int(1, 36_500).default(365),
  RETENTION_DAILY_DAYS: int(1, 36_500).default(1095),
};

export function loadSinkConfig(env: Env = process.env) {
  return loadConfig(shape, env);
}

export type SinkConfig = ReturnType<typeof loadSinkConfig>;

export function sinkOptions(c: SinkConfig): SinkOptions {
  return {
    kafkaBrokers: c.KAFKA_BROKERS,
    kafkaSecurity: kafkaSecurity(c),
    databaseUrl: c.DATABASE_URL,
    redisUrl: c.REDIS_URL,
    topicPrefix: c.TOPIC_PREFIX,
    replicationFactor: c.KAFKA_REPLICATION_FACTOR,
    compression: compressionOf(c.KAFKA_COMPRESSION),
    provision: true,
    // A consumer that stopped for good (an undecodable batch) ends the process: the orchestrator
    // restarts it and the group resumes from the committed offsets.
    onFatal: exitForRestart,
    parts: c.SINK_MAINTENANCE ? undefined : ['redis', 'postgres', 'deadletters'],
    partitionsConsumedConcurrently: c.SINK_PARTITIONS_CONCURRENCY,
    pgPoolSize: c.SINK_PG_POOL_SIZE,
    retryPolicy: { initialMs: c.SINK_RETRY_INITIAL_MS, maxMs: c.SINK_RETRY_MAX_MS, factor: 2, jitter: 0.2 },
    maintenanceIntervalMs: c.SINK_MAINTENANCE_INTERVAL_MS,
    rollup: { delayMs: c.ROLLUP_DELAY_MS, initialLookbackMs: c.ROLLUP_INITIAL_LOOKBACK_HOURS * 3_600_000 },
    retentionDays: {
      raw: c.RETENTION_RAW_DAYS,
      hourly: c.RETENTION_HOURLY_DAYS,
      daily: c.RETENTION_DAILY_DAYS,
    },
  };
}
