import { configureWindows } from '@streammetrics/contracts';
import { ConfigError } from '@streammetrics/config';
import { bootstrapApp, useAppLogger } from '@streammetrics/observability';
import { AppModule } from './app.module';
import { loadAlertingConfig } from './alerting.config';

async function main(): Promise<void> {
  const config = loadAlertingConfig();
  // Before anything reads them: the windows are configuration (WINDOWS).
  configureWindows(config.WINDOWS);
  useAppLogger({ app: 'alerting', logLevel: config.LOG_LEVEL });
  // Alerting serves only /health and /metrics; its API is served by the query-api.
  await bootstrapApp(AppModule.forConfig(config), { port: config.ALERTING_HTTP_PORT });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
