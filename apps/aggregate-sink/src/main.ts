import { ConfigError } from '@streammetrics/config';
import { bootstrapApp } from '@streammetrics/observability';
import { AppModule } from './app.module';
import { loadSinkConfig } from './aggregate-sink.config';

async function main(): Promise<void> {
  const config = loadSinkConfig();
  // The sink serves only /health and /metrics; its real interfaces are Kafka, Redis and PostgreSQL.
  await bootstrapApp(AppModule.forConfig(config), { port: config.SINK_HTTP_PORT });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
