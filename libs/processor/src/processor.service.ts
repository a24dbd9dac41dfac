import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type BeforeApplicationShutdown,
} from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import { createKafka } from '@streammetrics/kafka';
import { exitForRestart, HealthService, METRICS_REGISTRY } from '@streammetrics/observability';
import { EventDecoder, RegistrySchemaSource } from '@streammetrics/registry';
import { EosRuntime } from './eos.runtime';
import { ProcessorMetrics } from './processor.metrics';
import type { ProcessorOptions } from './processor.options';

export const PROCESSOR_OPTIONS = Symbol('PROCESSOR_OPTIONS');

/** Starts the exactly-once runtime with the app and stops it (last commit, leave group) on SIGTERM. */
@Injectable()
export class ProcessorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly runtime: EosRuntime;

  constructor(
    @Inject(PROCESSOR_OPTIONS) opts: ProcessorOptions,
    @Inject(METRICS_REGISTRY) registry: Registry,
    health: HealthService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ProcessorService');
    const kafka = createKafka({
      brokers: opts.brokers,
      security: opts.kafkaSecurity,
      clientId: opts.groupId,
      log: (level, message, extra) => this.logger[level]({ ...extra, source: 'kafkajs' }, message),
    });
    this.runtime = new EosRuntime(
      kafka,
      { ...opts, onFatal: exitForRestart },
      new ProcessorMetrics(registry),
      {
        info: (o, m) => this.logger.info(o, m),
        warn: (o, m) => this.logger.warn(o, m),
        error: (o, m) => this.logger.error(o, m),
      },
      new EventDecoder(new RegistrySchemaSource(opts.schemaRegistryUrl)),
    );
    health.register('kafka', () => this.runtime.health());
  }

  async onApplicationBootstrap(): Promise<void> {
    await this.runtime.start();
    this.logger.info({ topics: this.runtime.topics }, 'stream processor started');
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
    this.logger.info('stream processor stopped');
  }
}
