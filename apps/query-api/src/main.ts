import { configureWindows } from '@streammetrics/contracts';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { ConfigError } from '@streammetrics/config';
import { bootstrapApp, useAppLogger } from '@streammetrics/observability';
import { ensureDashboardBuilt } from '@streammetrics/query';
import { AppModule } from './app.module';
import { loadQueryApiConfig } from './query-api.config';
import { configureQueryApi } from './query-api.setup';

async function main(): Promise<void> {
  const config = loadQueryApiConfig();
  // Before anything reads them: the windows are configuration (WINDOWS).
  configureWindows(config.WINDOWS);
  // JSON from the first line on: Nest's own messages go through the app's pino logger too.
  useAppLogger({ app: 'query-api', logLevel: config.LOG_LEVEL });
  const log = new Logger('query-api');
  let dist: string | undefined;
  try {
    const built = join(config.DASHBOARD_WEB_DIR, 'dist');
    if (config.DASHBOARD_BUILD_ON_START)
      dist = await ensureDashboardBuilt(config.DASHBOARD_WEB_DIR, (m) => log.log(m));
    else if (existsSync(join(built, 'index.html'))) dist = built;
    else log.warn(`no dashboard build at ${built} (npm run build:dashboard); serving the API only`);
  } catch (err) {
    // The API is useful without its page: serve it and say why the page is missing.
    log.error(`dashboard unavailable: ${(err as Error).message}`);
  }
  await bootstrapApp(AppModule.forConfig(config, dist), {
    port: config.QUERY_PORT,
    configure: (app) => configureQueryApi(app, config, dist),
  });
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof ConfigError ? err.message : (err as Error).stack}\n`);
  process.exit(1);
});
