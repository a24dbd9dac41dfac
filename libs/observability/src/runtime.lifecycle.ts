import type { BeforeApplicationShutdown, OnApplicationBootstrap } from '@nestjs/common';
import type { Logger } from 'nestjs-pino';
import type { HealthCheck, HealthService } from './health.service';

/** A logger in pino's argument order (fields, then message), as the runtimes take it. */
export interface FieldsLog {
  info(fields: Record<string, unknown>, msg: string): void;
  warn(fields: Record<string, unknown>, msg: string): void;
  error(fields: Record<string, unknown>, msg: string): void;
}

/** nestjs-pino's Logger as a FieldsLog under one context (it takes fields, message, context). */
export function contextLog(logger: Logger, context: string): FieldsLog {
  return {
    info: (f, m) => logger.log(f, m, context),
    warn: (f, m) => logger.warn(f, m, context),
    error: (f, m) => logger.error(f, m, context),
  };
}

/** What an app's runtime offers its Nest lifecycle: readiness checks, start and a graceful stop. */
export interface ManagedRuntime {
  checks(): Record<string, HealthCheck>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The Nest lifecycle around an app's runtime: its checks join readiness and it starts once the
 * app is wired; it stops gracefully on SIGTERM (beforeApplicationShutdown).
 */
export abstract class RuntimeLifecycle<R extends ManagedRuntime>
  implements OnApplicationBootstrap, BeforeApplicationShutdown
{
  protected constructor(
    readonly runtime: R,
    private readonly health: HealthService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const [name, check] of Object.entries(this.runtime.checks())) this.health.register(name, check);
    await this.runtime.start();
  }

  async beforeApplicationShutdown(): Promise<void> {
    await this.runtime.stop();
  }
}
