import { Logger } from '@nestjs/common';
import { ApiKeyService } from '@streammetrics/auth';
import { closeIdleConnectionsOnShutdown, ConfigError, runWorkers } from '@streammetrics/config';
import { configureGatewayHttp, ensureBootstrapKey } from '@streammetrics/gateway';
import { bootstrapApp, useAppLogger } from '@streammetrics/observability';
import { AppModule } from './app.module';
import { loadIngestGatewayConfig } from './ingest-gateway.config';

type Config = ReturnType<typeof loadIngestGatewayConfig>;

async function startWorker(config: Config): Promise<void> {
  // JSON from the first line on: Nest's own messages go through the app's pino logger too.
  useAppLogger({ app: 'ingest-gateway', logLevel: config.LOG_LEVEL });
  const app = await bootstrapApp(AppModule.forRoot(config), {
    port: config.GATEWAY_PORT,
    bodyLimit: config.GATEWAY_BODY_LIMIT_BYTES,
    configure: async (app) => {
      configureGatewayHttp(app, { bodyLimit: config.GATEWAY_BODY_LIMIT_BYTES });
      await ensureBootstrapKey(
        app.get(ApiKeyService),
        config.GATEWAY_BOOTSTRAP_KEY,
        config.GATEWAY_BOOTSTRAP_CLIENT,
        new Logger('bootstrap-key'),
      );
    },
  });
  closeIdleConnectionsOnShutdown(app.getHttpServer());
}

async function main(): Promise<void> {
  // Validated in the primary too, so a bad variable fails once instead of in every worker.
  const config = loadIngestGatewayConfig();
  await runWorkers({
    app: 'ingest-gateway',
    count: config.GATEWAY_WORKERS,
    start: () => startWorker(config),
  });
}

main().catch((err: Error) => {
  process.stderr.write(
    `[ingest-gateway] ${err instanceof ConfigError ? err.message : (err.stack ?? err.message)}\n`,
  );
  process.exit(1);
});
