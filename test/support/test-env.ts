import { randomBytes } from 'node:crypto';

export interface TestEnv {
  kafkaBrokers: string[];
  databaseUrl: string;
  redisUrl: string;
  /** The registry's Confluent-compatible API; the local stack always has one. */
  schemaRegistryUrl?: string;
}

/** The stack the global setup provided. */
export function testEnv(): TestEnv {
  const { KAFKA_BROKERS, DATABASE_URL, REDIS_URL, SCHEMA_REGISTRY_URL } = process.env;
  if (!KAFKA_BROKERS || !DATABASE_URL || !REDIS_URL) {
    throw new Error('test stack not provided: run integration/e2e tests through jest (global setup)');
  }
  return {
    kafkaBrokers: KAFKA_BROKERS.split(','),
    databaseUrl: DATABASE_URL,
    redisUrl: REDIS_URL,
    schemaRegistryUrl: SCHEMA_REGISTRY_URL || undefined,
  };
}

/** A unique name per test, so tests isolate themselves instead of cleaning up after others. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${Date.now().toString(36)}-${randomBytes(4).toString('hex')}`;
}
