import { Injectable } from '@nestjs/common';
import { HealthService, RuntimeLifecycle } from '@streammetrics/observability';
import { AlertingRuntime } from './alerting.runtime';

/** Nest lifecycle around AlertingRuntime: readiness checks, start at bootstrap, graceful stop. */
@Injectable()
export class AlertingService extends RuntimeLifecycle<AlertingRuntime> {
  constructor(runtime: AlertingRuntime, health: HealthService) {
    super(runtime, health);
  }
}
