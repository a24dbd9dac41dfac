import { ConfigError } from '@streammetrics/config';
import { bootstrapApp } from '@streammetrics/observability';
import { AppModule } from './app.module';
import { loadProcessorConfig } from './processor.config';

async function main(): Promise<void> {
  const config = loadProcessorConfig();
  // The processor serves only /health and /metrics; its real interface is Kafka.
  await bootstrapApp(AppModule.forConfig(config), { port: config.PROCESSOR_HTTP_PORT });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
