import {
  Inject,
  Injectable,
  type BeforeApplicationShutdown,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import { exitForRestart, HealthService, METRICS_REGISTRY } from '@streammetrics/observability';
import type { SinkLog } from './sink.log';
import { SinkRuntime, type SinkOptions } from './sink.runtime';

export const SINK_OPTIONS = Symbol('SINK_OPTIONS');
export type SinkModuleOptions = Omit<SinkOptions, 'registry' | 'log'>;

/** Nest lifecycle around SinkRuntime: start after the app is wired, stop gracefully on SIGTERM. */
@Injectable()
export class SinkService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  readonly runtime: SinkRuntime;

  constructor(
    @Inject(SINK_OPTIONS) options: SinkModuleOptions,
    @Inject(METRICS_REGISTRY) registry: Registry,
    private readonly health: HealthService,
    logger: Logger,
  ) {
    // nestjs-pino's Logger takes (fields, message, context).
    const log: SinkLog = {
      info: (f, m) => logger.log(f, m, 'aggregate-sink'),
      warn: (f, m) => logger.warn(f, m, 'aggregate-sink'),
      error: (f, m) => logger.error(f, m, 'aggregate-sink'),
    };
    this.runtime = new SinkRuntime({ ...options, registry, log, onFatal: exitForRestart });
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const [name, check] of Object.entries(this.runtime.checks())) this.health.register(name, check);
    await this.runtime.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}
