import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import { exitForRestart, HealthService, METRICS_REGISTRY } from '@streammetrics/observability';
import type { AlertingLog } from './alerting.log';
import { AlertingRuntime, type AlertingOptions } from './alerting.runtime';

export const ALERTING_OPTIONS = Symbol('ALERTING_OPTIONS');
export type AlertingModuleOptions = Omit<AlertingOptions, 'registry' | 'log'>;

/** Nest lifecycle around AlertingRuntime: start after the app is wired, stop gracefully on SIGTERM. */
@Injectable()
export class AlertingService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly runtime: AlertingRuntime;

  constructor(
    @Inject(ALERTING_OPTIONS) options: AlertingModuleOptions,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly health: HealthService,
    logger: Logger,
  ) {
    const log: AlertingLog = {
      info: (f, m) => logger.log(f, m, 'alerting'),
      warn: (f, m) => logger.warn(f, m, 'alerting'),
      error: (f, m) => logger.error(f, m, 'alerting'),
    };
    this.runtime = new AlertingRuntime({ ...options, registry, log, onFatal: exitForRestart });
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const [name, check] of Object.entries(this.runtime.checks())) this.health.register(name, check);
    await this.runtime.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}
