import { startStandalone } from '@streammetrics/observability';
import { SinkModule } from './sink.module';
import type { SinkOptions } from './sink.options';
import { SinkRuntime } from './sink.runtime';

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
  const app = await startStandalone('aggregate-sink', SinkModule.forRoot(opts), logLevel);
  return { runtime: app.get(SinkRuntime), close: () => app.close() };
}
