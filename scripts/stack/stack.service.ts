import { CHANGELOG_TOPIC, topicSpecs } from '@streammetrics/contracts';
import { INFRA_DEFAULTS } from '@streammetrics/config';
import { createKafka, provisionTopics } from '@streammetrics/kafka';
import { migrate } from '@streammetrics/storage';
import { brokerPid, startBroker, stopBroker, waitForMetadata } from './kafka.broker';
import { ensurePostgres, ensureRedis, pgReachable, redisReachable } from './local.services';
import type { StackConfig } from './stack.config';

export interface StackEndpoints {
  kafkaBrokers: string[];
  databaseUrl: string;
  redisUrl: string;
}

type Log = (msg: string) => void;

export function endpoints(cfg: StackConfig): StackEndpoints {
  return {
    kafkaBrokers: cfg.KAFKA_BROKERS ?? [`127.0.0.1:${cfg.STACK_KAFKA_PORT}`],
    databaseUrl: cfg.DATABASE_URL ?? INFRA_DEFAULTS.DATABASE_URL,
    redisUrl: cfg.REDIS_URL ?? INFRA_DEFAULTS.REDIS_URL,
  };
}

/** Starts (or finds) Kafka, PostgreSQL and Redis; waits for each. Idempotent and quick when up. */
export async function stackUp(cfg: StackConfig, log: Log): Promise<StackEndpoints> {
  const ep = endpoints(cfg);
  const t0 = Date.now();
  const kafka = (async () => {
    if (cfg.KAFKA_BROKERS) {
      await waitForMetadata(ep.kafkaBrokers, 15_000).catch((err: Error) => {
        throw new Error(`KAFKA_BROKERS: ${err.message}`);
      });
      return 'external';
    }
    return startBroker({
      port: cfg.STACK_KAFKA_PORT,
      controllerPort: cfg.STACK_KAFKA_CONTROLLER_PORT,
      heap: cfg.STACK_KAFKA_HEAP,
      log,
    });
  })();
  await Promise.all([
    ensurePostgres(ep.databaseUrl, cfg.DATABASE_URL !== undefined, log),
    ensureRedis(ep.redisUrl, cfg.REDIS_URL !== undefined, log),
  ]);
  log(`kafka: ${await kafka} (${ep.kafkaBrokers.join(',')}) in ${Date.now() - t0} ms`);
  return ep;
}

/** Creates the design's topics (optionally under a prefix) and runs the migrations. */
export async function provisionAndMigrate(
  ep: StackEndpoints,
  replicationFactor: number,
  log: Log,
  topicPrefix = '',
): Promise<void> {
  const kafka = createKafka({ brokers: ep.kafkaBrokers, clientId: 'stack-provisioner' });
  const topics = await provisionTopics(kafka, topicSpecs(topicPrefix), replicationFactor);
  log(
    `topics: ${topics.created.length} created, ${topics.existing.length} already there (incl. ${CHANGELOG_TOPIC})`,
  );
  const ran = await migrate(ep.databaseUrl);
  log(`migrations: ${ran.length === 0 ? 'up to date' : `applied ${ran.join(', ')}`}`);
}

export async function stackDown(log: Log): Promise<void> {
  log(`kafka: ${await stopBroker()}`);
}

export async function stackStatus(cfg: StackConfig): Promise<Record<string, string>> {
  const ep = endpoints(cfg);
  const kafkaState = await waitForMetadata(ep.kafkaBrokers, 1500).then(
    () => 'up',
    (e: Error) => `down (${e.message.split(' within')[0]})`,
  );
  const pid = brokerPid();
  return {
    kafka: `${kafkaState} ${ep.kafkaBrokers.join(',')}${cfg.KAFKA_BROKERS ? ' (external)' : pid ? ` (pid ${pid})` : ''}`,
    postgres: `${(await pgReachable(ep.databaseUrl)) === undefined ? 'up' : 'down'} ${ep.databaseUrl}`,
    redis: `${(await redisReachable(ep.redisUrl)) === undefined ? 'up' : 'down'} ${ep.redisUrl}`,
  };
}
