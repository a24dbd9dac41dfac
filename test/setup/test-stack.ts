import { getContainerRuntimeClient } from 'testcontainers';
import { KafkaContainer } from '@testcontainers/kafka';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { RedisContainer } from '@testcontainers/redis';
import type { StartedTestContainer } from 'testcontainers';
import { Client } from 'pg';
import { loadStackConfig } from '../../scripts/stack/stack.config';
import { provisionAndMigrate, stackUp, type StackEndpoints } from '../../scripts/stack/stack.service';

const TEST_DATABASE = 'streammetrics_test';
const TEST_REDIS_DB = 1;

/** Creates the test database next to the default one if it is missing; returns its URL. */
async function ensureDatabase(url: string, name: string): Promise<string> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (exists.rowCount === 0) await client.query(`CREATE DATABASE ${name}`);
  } finally {
    await client.end();
  }
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

const log = (msg: string) => process.stderr.write(`[test-stack] ${msg}\n`);

async function dockerReachable(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** Containers started by this run, stopped by the global teardown. */
export const startedContainers: StartedTestContainer[] = [];

async function startContainers(): Promise<StackEndpoints> {
  const [kafka, pg, redis] = await Promise.all([
    new KafkaContainer('confluentinc/cp-kafka:7.7.1').withKraft().withExposedPorts(9093).start(),
    new PostgreSqlContainer('postgres:15-alpine').start(),
    new RedisContainer('redis:7-alpine').start(),
  ]);
  startedContainers.push(kafka, pg, redis);
  return {
    kafkaBrokers: [`${kafka.getHost()}:${kafka.getMappedPort(9093)}`],
    databaseUrl: pg.getConnectionUri(),
    redisUrl: redis.getConnectionUrl(),
    // No registry container: a registry is used only where SCHEMA_REGISTRY_URL names one.
    schemaRegistryUrl: loadStackConfig().SCHEMA_REGISTRY_URL,
  };
}

/**
 * One stack for the whole run: testcontainers where a Docker engine answers and no URLs are given,
 * otherwise the project's local stack (the same code as `npm run stack -- up`, schema registry
 * included).
 */
export async function provideTestStack(): Promise<StackEndpoints> {
  const cfg = loadStackConfig();
  const urlsGiven = cfg.KAFKA_BROKERS || cfg.DATABASE_URL || cfg.REDIS_URL;
  let ep: StackEndpoints;
  if (!urlsGiven && process.env.SM_TEST_NO_CONTAINERS !== '1' && (await dockerReachable())) {
    log('Docker engine found: starting Kafka, PostgreSQL and Redis with testcontainers');
    ep = await startContainers();
  } else {
    log('no Docker engine (or URLs given): using the local stack');
    ep = await stackUp(cfg, log);
    // Tests keep out of the data `npm start` shows: their own database and Redis database, unless
    // URLs were given. Kafka needs no such care: every test uses its own random topics.
    if (!cfg.DATABASE_URL) ep = { ...ep, databaseUrl: await ensureDatabase(ep.databaseUrl, TEST_DATABASE) };
    if (!cfg.REDIS_URL) ep = { ...ep, redisUrl: `${ep.redisUrl.replace(/\/\d*$/, '')}/${TEST_REDIS_DB}` };
  }
  await provisionAndMigrate(ep, 1, log);
  return ep;
}
