import { z } from 'zod';
import { ConfigError, infraShape, int, loadConfig, type Env, topicPrefix } from '@streammetrics/config';
import { PROCESSOR_GROUP } from '@streammetrics/contracts';
import { compressionOf, kafkaSecurity } from '@streammetrics/kafka';
import type { ProcessorOptions } from '@streammetrics/processor';

const shape = {
  ...infraShape,
  TOPIC_PREFIX: topicPrefix(),
  PROCESSOR_GROUP_ID: z.string().min(1).default(PROCESSOR_GROUP),
  PROCESSOR_HTTP_PORT: int(0, 65535).default(9464),
  COMMIT_INTERVAL_MS: int(10, 60_000).default(100),
  EMIT_INTERVAL_MS: int(10, 600_000).default(1000),
  MAX_UPDATES_PER_COMMIT: int(1, 10_000_000).default(20_000),
  GRACE_MS: int(0, 3_600_000).default(10_000),
  IDLE_TIMEOUT_MS: int(0, 3_600_000).default(30_000),
  MAX_TAG_SETS_PER_METRIC: int(1, 1_000_000).default(1000),
  /** Distinct series per input partition before new ones fold into the overflow series. */
  MAX_SERIES_PER_PARTITION: int(1, 10_000_000).default(50_000),
  SESSION_TIMEOUT_MS: int(6000, 300_000).default(30_000),
  TRANSACTION_TIMEOUT_MS: int(1000, 900_000).default(20_000),
};

export function loadProcessorConfig(env: Env = process.env) {
  const c = loadConfig(shape, env);
  // Cross-field rules, reported like the others so one start lists every problem.
  const problems: string[] = [];
  if (c.EMIT_INTERVAL_MS < c.COMMIT_INTERVAL_MS) {
    problems.push(
      `EMIT_INTERVAL_MS: must be >= COMMIT_INTERVAL_MS (${c.COMMIT_INTERVAL_MS}) (got "${c.EMIT_INTERVAL_MS}")`,
    );
  }
  if (c.TRANSACTION_TIMEOUT_MS >= c.SESSION_TIMEOUT_MS) {
    problems.push(
      `TRANSACTION_TIMEOUT_MS: must be below SESSION_TIMEOUT_MS (${c.SESSION_TIMEOUT_MS}) (got "${c.TRANSACTION_TIMEOUT_MS}")`,
    );
  }
  if (problems.length > 0) {
    throw new ConfigError(problems);
  }
  return c;
}

export type ProcessorConfig = ReturnType<typeof loadProcessorConfig>;

export function processorOptions(c: ProcessorConfig): ProcessorOptions {
  return {
    brokers: c.KAFKA_BROKERS,
    kafkaSecurity: kafkaSecurity(c),
    groupId: c.PROCESSOR_GROUP_ID,
    topicPrefix: c.TOPIC_PREFIX,
    commitIntervalMs: c.COMMIT_INTERVAL_MS,
    sessionTimeoutMs: c.SESSION_TIMEOUT_MS,
    transactionTimeoutMs: c.TRANSACTION_TIMEOUT_MS,
    compression: compressionOf(c.KAFKA_COMPRESSION),
    schemaRegistryUrl: c.SCHEMA_REGISTRY_URL,
    windowing: {
      graceMs: c.GRACE_MS,
      emitIntervalMs: c.EMIT_INTERVAL_MS,
      maxUpdatesPerCollect: c.MAX_UPDATES_PER_COMMIT,
      idleTimeoutMs: c.IDLE_TIMEOUT_MS,
      maxTagSetsPerMetric: c.MAX_TAG_SETS_PER_METRIC,
      maxSeriesPerPartition: c.MAX_SERIES_PER_PARTITION,
    },
  };
}
