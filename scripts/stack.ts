/**
 * `npm run stack -- up|down|status|env`: the local Kafka (KRaft, from the Maven Central jars) and
 * schema registry (Apicurio, from Maven Central too), plus the machine's PostgreSQL and Redis, unless
 * KAFKA_BROKERS / SCHEMA_REGISTRY_URL / DATABASE_URL / REDIS_URL point elsewhere.
 */
import { ConfigError } from '@streammetrics/config';
import { loadStackConfig } from './stack/stack.config';
import { endpoints, provisionAndMigrate, stackDown, stackStatus, stackUp } from './stack/stack.service';

const log = (msg: string) => process.stdout.write(`[stack] ${msg}\n`);

async function main(command: string | undefined): Promise<void> {
  const cfg = loadStackConfig();
  switch (command) {
    case 'up': {
      const ep = await stackUp(cfg, log);
      await provisionAndMigrate(ep, cfg.KAFKA_REPLICATION_FACTOR, log);
      log('ready');
      return;
    }
    case 'down':
      return stackDown(log);
    case 'status': {
      for (const [k, v] of Object.entries(await stackStatus(cfg))) log(`${k.padEnd(9)} ${v}`);
      return;
    }
    case 'env': {
      const ep = endpoints(cfg);
      process.stdout.write(
        `KAFKA_BROKERS=${ep.kafkaBrokers.join(',')}\nDATABASE_URL=${ep.databaseUrl}\nREDIS_URL=${ep.redisUrl}\n` +
          `SCHEMA_REGISTRY_URL=${ep.schemaRegistryUrl}\n`,
      );
      return;
    }
    default:
      throw new Error(`usage: npm run stack -- up|down|status|env (got ${command ?? 'nothing'})`);
  }
}

main(process.argv[2]).then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[stack] ${err instanceof ConfigError ? err.message : (err as Error).message}\n`);
    process.exit(1);
  },
);
