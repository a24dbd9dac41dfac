import { Module, type DynamicModule, type INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ObservabilityModule } from './observability.module';

@Module({})
class StandaloneModule {
  static forRoot(app: string, logLevel: string, module: DynamicModule): DynamicModule {
    return { module: StandaloneModule, imports: [ObservabilityModule.forRoot({ app, logLevel }), module] };
  }
}

/**
 * An app's module without HTTP, with its logger and metrics registry, initialised (so its runtime
 * has started): how end-to-end tests and benchmarks run the same wiring as the app.
 */
export function startStandalone(
  app: string,
  module: DynamicModule,
  logLevel = 'silent',
): Promise<INestApplicationContext> {
  return NestFactory.createApplicationContext(StandaloneModule.forRoot(app, logLevel, module), {
    logger: false,
    abortOnError: false,
  });
}
