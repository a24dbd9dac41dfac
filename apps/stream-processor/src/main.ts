import { configureWindows } from '@streammetrics/contracts';
import { ConfigError } from '@streammetrics/config';
import { bootstrapApp, useAppLogger } from '@streammetrics/observability';
import { AppModule } from './app.module';
import { loadProcessorConfig } from './processor.config';

async function main(): Promise<void> {
  const config = loadProcessorConfig();
  // Before anything reads them: the windows are configuration (WINDOWS).
  configureWindows(config.WINDOWS);
  // JSON from the first line on: Nest's own messages go through the app's pino logger too.
  useAppLogger({ app: 'stream-processor', logLevel: config.LOG_LEVEL });
  // The processor serves only /health and /metrics; its real interface is Kafka.
  await bootstrapApp(AppModule.forConfig(config), { port: config.PROCESSOR_HTTP_PORT });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
