// The global setup runs outside jest's module registry, so moduleNameMapper does not apply here:
// resolve the @streammetrics/* aliases from tsconfig.json the way the apps' loader does.
import 'tsconfig-paths/register';
import { provideTestStack } from './test-stack';

/** Runs once per test run (jest may call it for both I/O tiers: the marker makes it idempotent). */
export default async function globalSetup(): Promise<void> {
  if (process.env.SM_TEST_STACK_READY === '1') return;
  const ep = await provideTestStack();
  // Worker processes inherit this environment; test/support/test-env.ts reads it back.
  process.env.KAFKA_BROKERS = ep.kafkaBrokers.join(',');
  process.env.DATABASE_URL = ep.databaseUrl;
  process.env.REDIS_URL = ep.redisUrl;
  if (ep.schemaRegistryUrl) process.env.SCHEMA_REGISTRY_URL = ep.schemaRegistryUrl;
  process.env.SM_TEST_STACK_READY = '1';
}
