import { Injectable, type OnApplicationBootstrap, type BeforeApplicationShutdown } from '@nestjs/common';
import { PinoLogger } from 'nestjs-pino';
import { HealthService } from '@streammetrics/observability';
import { EosRuntime } from './eos.runtime';

/** Starts the exactly-once runtime with the app and stops it (last commit, leave group) on SIGTERM. */
@Injectable()
export class ProcessorService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  constructor(
    private readonly runtime: EosRuntime,
    health: HealthService,
    private readonly logger: PinoLogger,
  ) {
    logger.setContext('ProcessorService');
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
