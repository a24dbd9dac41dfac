import { z } from 'zod';
import { bool, infraShape, int, loadConfig, type Env, topicPrefix } from '@streammetrics/config';
import { ALERTING_GROUP, type AlertingOptions } from '@streammetrics/alerting';
import { kafkaSecurity } from '@streammetrics/kafka';
import { exitForRestart } from '@streammetrics/observability';

const shape = {
  ...infraShape,
  TOPIC_PREFIX: topicPrefix(),
  ALERTING_HTTP_PORT: int(0, 65535).default(9466),
  ALERTING_GROUP_ID: z.string().min(1).max(200).default(ALERTING_GROUP),
  /** YAML rules loaded at start (GitOps); rules in it replace the previous file's. */
  ALERT_RULES_FILE: z.string().min(1).optional(),
  /** The dashboard's address, for links in notifications. */
  ALERTING_EXTERNAL_URL: z.url().default('http://localhost:3000'),
  /** A new consumer group starts at the oldest retained window results instead of new ones. */
  ALERTING_FROM_BEGINNING: bool().default(false),
  ALERTING_WEBHOOK_TIMEOUT_MS: int(100, 60_000).default(5_000),
  ALERTING_RETRY_INITIAL_MS: int(10, 60_000).default(1_000),
  ALERTING_RETRY_MAX_MS: int(100, 3_600_000).default(300_000),
  ALERTING_RULES_POLL_MS: int(100, 60_000).default(2_000),
};

export function loadAlertingConfig(env: Env = process.env) {
  return loadConfig(shape, env);
}

export type AlertingConfig = ReturnType<typeof loadAlertingConfig>;

export function alertingOptions(c: AlertingConfig): AlertingOptions {
  return {
    kafkaBrokers: c.KAFKA_BROKERS,
    kafkaSecurity: kafkaSecurity(c),
    databaseUrl: c.DATABASE_URL,
    topicPrefix: c.TOPIC_PREFIX,
    groupId: c.ALERTING_GROUP_ID,
    fromBeginning: c.ALERTING_FROM_BEGINNING,
    rulesFile: c.ALERT_RULES_FILE,
    externalUrl: c.ALERTING_EXTERNAL_URL,
    rulesPollMs: c.ALERTING_RULES_POLL_MS,
    dispatcher: {
      timeoutMs: c.ALERTING_WEBHOOK_TIMEOUT_MS,
      retry: {
        initialMs: c.ALERTING_RETRY_INITIAL_MS,
        maxMs: c.ALERTING_RETRY_MAX_MS,
        factor: 2,
        jitter: 0.2,
      },
    },
    provision: true,
    // A consumer that stopped for good ends the process: the orchestrator restarts it and the
    // group resumes from the offsets stored with the alert states.
    onFatal: exitForRestart,
  };
}
