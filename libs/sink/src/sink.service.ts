import { Inject, Injectable } from '@nestjs/common';
import { Logger } from 'nestjs-pino';
import type { Registry } from 'prom-client';
import {
  contextLog,
  exitForRestart,
  HealthService,
  METRICS_REGISTRY,
  RuntimeLifecycle,
} from '@streammetrics/observability';
import { SinkRuntime, type SinkOptions } from './sink.runtime';

export const SINK_OPTIONS = Symbol('SINK_OPTIONS');
export type SinkModuleOptions = Omit<SinkOptions, 'registry' | 'log'>;

/** Nest lifecycle around SinkRuntime. */
@Injectable()
export class SinkService extends RuntimeLifecycle<SinkRuntime> {
  constructor(
    @Inject(SINK_OPTIONS) options: SinkModuleOptions,
    @Inject(METRICS_REGISTRY) registry: Registry,
    health: HealthService,
    logger: Logger,
  ) {
    const log = contextLog(logger, 'aggregate-sink');
    super(new SinkRuntime({ ...options, registry, log, onFatal: exitForRestart }), health);
  }
}
