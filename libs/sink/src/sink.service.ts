import { Injectable } from '@nestjs/common';
import { HealthService, RuntimeLifecycle } from '@streammetrics/observability';
import { SinkRuntime } from './sink.runtime';

/** Nest lifecycle around SinkRuntime: readiness checks, start at bootstrap, graceful stop. */
@Injectable()
export class SinkService extends RuntimeLifecycle<SinkRuntime> {
  constructor(runtime: SinkRuntime, health: HealthService) {
    super(runtime, health);
  }
}
