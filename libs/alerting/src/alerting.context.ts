import { startStandalone } from '@streammetrics/observability';
import { AlertingModule } from './alerting.module';
import { AlertingRuntime, type AlertingOptions } from './alerting.runtime';

export interface AlertingContext {
  runtime: AlertingRuntime;
  close(): Promise<void>;
}

/** Alerting without HTTP, wired by the same AlertingModule as the app and started (benchmarks). */
export async function startAlertingContext(
  opts: AlertingOptions,
  logLevel = 'silent',
): Promise<AlertingContext> {
  const app = await startStandalone('alerting', AlertingModule.forRoot(opts), logLevel);
  return { runtime: app.get(AlertingRuntime), close: () => app.close() };
}
