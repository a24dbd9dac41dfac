import { CHANGELOG_TOPIC, configureWindows, topicSpecs } from '@streammetrics/contracts';
import { INFRA_DEFAULTS } from '@streammetrics/config';
import { createKafka, provisionTopics } from '@streammetrics/kafka';
import { EVENT_SCHEMA_SUBJECT, getCompatibility, registerEventSchema } from '@streammetrics/registry';
import { migrate } from '@streammetrics/storage';
import { brokerPid, startBroker, stopBroker, waitForMetadata } from './kafka.broker';
import { ensurePostgres, ensureRedis, pgReachable, redisReachable } from './local.services';
import {
  registryPid,
  registryProblemOf,
  startRegistry,
  stopRegistry,
  waitForRegistry,
} from './schema-registry';
import type { StackConfig } from './stack.config';

export interface StackEndpoints {
  kafkaBrokers: string[];
  databaseUrl: string;
  redisUrl: string;
  /** The Confluent-compatible API; absent where the stack has no registry (testcontainers). */
  schemaRegistryUrl?: string;
}

type Log = (msg: string) => void;

/** INFRA_DEFAULTS.SCHEMA_REGISTRY_URL with the port STACK_REGISTRY_PORT says. */
function localRegistryUrl(port: number): string {
  const u = new URL(INFRA_DEFAULTS.SCHEMA_REGISTRY_URL);
  u.port = String(port);
  return u.toString();
}

/** Where the stack is: the local services unless the environment names others. */
export function endpoints(cfg: StackConfig): Required<StackEndpoints> {
  const registryUrl = cfg.SCHEMA_REGISTRY_URL ?? localRegistryUrl(cfg.STACK_REGISTRY_PORT);
  return {
    kafkaBrokers: cfg.KAFKA_BROKERS ?? [`127.0.0.1:${cfg.STACK_KAFKA_PORT}`],
    databaseUrl: cfg.DATABASE_URL ?? INFRA_DEFAULTS.DATABASE_URL,
    redisUrl: cfg.REDIS_URL ?? INFRA_DEFAULTS.REDIS_URL,
    // Paths are appended to it (`${url}/subjects/...`): no trailing slash.
    schemaRegistryUrl: registryUrl.replace(/\/+$/, ''),
  };
}

/** Starts (or finds) Kafka, the schema registry, PostgreSQL and Redis; waits for each. Idempotent. */
export async function stackUp(cfg: StackConfig, log: Log): Promise<StackEndpoints> {
  configureWindows(cfg.WINDOWS);
  const ep = endpoints(cfg);
  const t0 = Date.now();
  const timed = async (state: Promise<string>) => ({ state: await state, ms: Date.now() - t0 });
  // A service the environment names is waited for, never started; its variable names the failure.
  const external = (variable: string, ready: Promise<void>) =>
    ready.then(
      () => 'external',
      (err: Error) => {
        throw new Error(`${variable}: ${err.message}`);
      },
    );
  const kafka = timed(
    (async () => {
      if (cfg.KAFKA_BROKERS) return external('KAFKA_BROKERS', waitForMetadata(ep.kafkaBrokers, 15_000));
      return startBroker({
        port: cfg.STACK_KAFKA_PORT,
        controllerPort: cfg.STACK_KAFKA_CONTROLLER_PORT,
        heap: cfg.STACK_KAFKA_HEAP,
        log,
      });
    })(),
  );
  const registry = timed(
    (async () => {
      if (cfg.SCHEMA_REGISTRY_URL) {
        return external('SCHEMA_REGISTRY_URL', waitForRegistry(ep.schemaRegistryUrl, 15_000));
      }
      return startRegistry({ port: cfg.STACK_REGISTRY_PORT, url: ep.schemaRegistryUrl, log });
    })(),
  );
  // Awaited together: a failure of one start is reported, not left unobserved behind another.
  const [k, r] = await Promise.all([
    kafka,
    registry,
    ensurePostgres(ep.databaseUrl, cfg.DATABASE_URL !== undefined, log),
    ensureRedis(ep.redisUrl, cfg.REDIS_URL !== undefined, log),
  ]);
  log(`kafka: ${k.state} (${ep.kafkaBrokers.join(',')}) in ${k.ms} ms`);
  log(`schema registry: ${r.state} (${ep.schemaRegistryUrl}) in ${r.ms} ms`);
  return ep;
}

/**
 * Creates the design's topics (optionally under a prefix), registers the event schema under the
 * events topic's value subject, and runs the migrations.
 */
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
  if (ep.schemaRegistryUrl) {
    const subject = `${topicPrefix}${EVENT_SCHEMA_SUBJECT}`;
    const schema = await registerEventSchema(ep.schemaRegistryUrl, subject);
    log(`event schema: ${subject} id ${schema.id}${schema.version ? `, version ${schema.version}` : ''}`);
  }
  const ran = await migrate(ep.databaseUrl);
  log(`migrations: ${ran.length === 0 ? 'up to date' : `applied ${ran.join(', ')}`}`);
}

export async function stackDown(log: Log): Promise<void> {
  const [kafka, registry] = await Promise.all([stopBroker(), stopRegistry()]);
  log(`kafka: ${kafka}`);
  log(`schema registry: ${registry}`);
}

async function registryStatus(cfg: StackConfig, url: string): Promise<string> {
  const state = await getCompatibility(url, undefined, 1500).then(
    (level: string) => `up (global compatibility ${level})`,
    (err: unknown) => `down (${registryProblemOf(err)})`,
  );
  const pid = registryPid();
  return `${state} ${url}${cfg.SCHEMA_REGISTRY_URL ? ' (external)' : pid ? ` (pid ${pid})` : ''}`;
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
    registry: await registryStatus(cfg, ep.schemaRegistryUrl),
  };
}
