import { configureWindows } from '@streammetrics/contracts';
import { ConfigError } from '@streammetrics/config';
import { bootstrapApp, useAppLogger } from '@streammetrics/observability';
import { AppModule } from './app.module';
import { loadSinkConfig } from './aggregate-sink.config';

async function main(): Promise<void> {
  const config = loadSinkConfig();
  // Before anything reads them: the windows are configuration (WINDOWS).
  configureWindows(config.WINDOWS);
  // JSON from the first line on: Nest's own messages go through the app's pino logger too.
  useAppLogger({ app: 'aggregate-sink', logLevel: config.LOG_LEVEL });
  // The sink serves only /health and /metrics; its real interfaces are Kafka, Redis and PostgreSQL.
  await bootstrapApp(AppModule.forConfig(config), { port: config.SINK_HTTP_PORT });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
