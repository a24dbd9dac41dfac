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
import { AlertingRuntime, type AlertingOptions } from './alerting.runtime';

export const ALERTING_OPTIONS = Symbol('ALERTING_OPTIONS');
export type AlertingModuleOptions = Omit<AlertingOptions, 'registry' | 'log'>;

/** Nest lifecycle around AlertingRuntime. */
@Injectable()
export class AlertingService extends RuntimeLifecycle<AlertingRuntime> {
  constructor(
    @Inject(ALERTING_OPTIONS) options: AlertingModuleOptions,
    @Inject(METRICS_REGISTRY) registry: Registry,
    health: HealthService,
    logger: Logger,
  ) {
    const log = contextLog(logger, 'alerting');
    super(new AlertingRuntime({ ...options, registry, log, onFatal: exitForRestart }), health);
  }
}
