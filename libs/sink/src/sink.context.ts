import { NestFactory } from '@nestjs/core';
import { Module, type DynamicModule } from '@nestjs/common';
import { ObservabilityModule } from '@streammetrics/observability';
import { SinkModule } from './sink.module';
import type { SinkOptions } from './sink.options';
import { SinkRuntime } from './sink.runtime';

@Module({})
class StandaloneSinkModule {
  static forRoot(opts: SinkOptions, logLevel: string): DynamicModule {
    return {
      module: StandaloneSinkModule,
      imports: [ObservabilityModule.forRoot({ app: 'aggregate-sink', logLevel }), SinkModule.forRoot(opts)],
    };
  }
}

export interface SinkContext {
  runtime: SinkRuntime;
  /** Stops the sink gracefully and releases its clients. */
  close(): Promise<void>;
}

/**
 * The sink without HTTP, wired by the same SinkModule as the app and started (end-to-end tests,
 * benchmarks): resolves once every consumer group has joined.
 */
export async function startSinkContext(opts: SinkOptions, logLevel = 'silent'): Promise<SinkContext> {
  const app = await NestFactory.createApplicationContext(StandaloneSinkModule.forRoot(opts, logLevel), {
    logger: false,
    abortOnError: false,
  });
  return { runtime: app.get(SinkRuntime), close: () => app.close() };
}
