import { configureWindows } from '@streammetrics/contracts';
import cluster from 'node:cluster';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import {
  closeIdleConnectionsOnShutdown,
  ConfigError,
  loadConfig,
  runWorkers,
  workers,
} from '@streammetrics/config';
import { bootstrapApp, useAppLogger } from '@streammetrics/observability';
import { ensureDashboardBuilt } from '@streammetrics/query';
import { AppModule } from './app.module';
import { loadQueryApiConfig } from './query-api.config';
import { configureQueryApi } from './query-api.setup';

type Config = ReturnType<typeof loadQueryApiConfig>;

/** Builds the dashboard if asked (once, in the primary: workers must not race one Vite build). */
async function prepareDashboard(config: Config, log: Logger): Promise<void> {
  if (!config.DASHBOARD_BUILD_ON_START) return;
  try {
    await ensureDashboardBuilt(config.DASHBOARD_WEB_DIR, (m) => log.log(m));
  } catch (err) {
    // The API is useful without its page: serve it and say why the page is missing.
    log.error(`dashboard unavailable: ${(err as Error).message}`);
  }
}

async function startWorker(config: Config, log: Logger): Promise<void> {
  const built = join(config.DASHBOARD_WEB_DIR, 'dist');
  const dist = existsSync(join(built, 'index.html')) ? built : undefined;
  if (!dist) log.warn(`no dashboard build at ${built} (npm run build:dashboard); serving the API only`);
  const app = await bootstrapApp(AppModule.forConfig(config, dist), {
    port: config.QUERY_PORT,
    configure: (a) => configureQueryApi(a, config, dist),
  });
  closeIdleConnectionsOnShutdown(app.getHttpServer());
}

async function main(): Promise<void> {
  const config = loadQueryApiConfig();
  const { QUERY_WORKERS } = loadConfig({ QUERY_WORKERS: workers() });
  // Before anything reads them: the windows are configuration (WINDOWS).
  configureWindows(config.WINDOWS);
  // JSON from the first line on: Nest's own messages go through the app's pino logger too.
  useAppLogger({ app: 'query-api', logLevel: config.LOG_LEVEL });
  const log = new Logger('query-api');
  if (cluster.isPrimary) await prepareDashboard(config, log);
  await runWorkers({ app: 'query-api', count: QUERY_WORKERS, start: () => startWorker(config, log) });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
