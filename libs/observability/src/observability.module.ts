import { Global, Module, type DynamicModule } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { appLogger, type ObservabilityOptions } from './app.logger';
import { HealthController } from './health.controller';
import { HealthService } from './health.service';
import { MetricsController } from './metrics.controller';
import { serializeRequest } from './request.serializer';
import { createMetricsRegistry, METRICS_REGISTRY } from './metrics.registry';

export type { ObservabilityOptions } from './app.logger';

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
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [HealthService, { provide: METRICS_REGISTRY, useValue: createMetricsRegistry(opts.app) }],
      exports: [HealthService, METRICS_REGISTRY],
    };
  }
}
