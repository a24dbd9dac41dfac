import { Global, Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { appLogger, type ObservabilityOptions } from './app.logger';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { MetricsController } from './metrics.controller';
import { serializeRequest } from './request.serializer';
import { createMetricsRegistry, METRICS_REGISTRY } from './metrics.registry';

export type { ObservabilityOptions } from './app.logger';

/**
 * Whether pino-http's line per request (written at info) reaches the log at `level`. When it does
 * not, no request gets the per-request child logger either: building one serialises and redacts
 * the request on every call, for a line nobody writes. Lines logged during a request then carry no
 * `req` of their own (their message, context and error still say what failed).
 */
export function logsRequests(level: string): boolean {
  const value = (pino.levels.values as Record<string, number | undefined>)[level];
  return value !== undefined && value <= pino.levels.values.info!;
}

/** JSON logs (pino), Prometheus /metrics and /health/{live,ready}: the same in every app. */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(opts: ObservabilityOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [
        LoggerModule.forRoot({
          pinoHttp: {
            // The same logger Nest's own messages go to (useAppLogger); it redacts API keys.
            logger: appLogger(opts),
            serializers: { req: serializeRequest },
            // Probes and scrapes every few seconds would drown the request log.
            autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
          },
          ...(logsRequests(opts.logLevel) ? {} : { forRoutes: [] }),
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [HealthService, { provide: METRICS_REGISTRY, useValue: createMetricsRegistry(opts.app) }],
      exports: [HealthService, METRICS_REGISTRY],
    };
  }
}
