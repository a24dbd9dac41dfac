import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger } from 'nestjs-pino';
import { HealthService } from './health.service';
import { useSecurityHeaders } from './security.headers';

export interface BootstrapOptions {
  port: number;
  host?: string;
  /** Fastify body limit in bytes. */
  bodyLimit?: number;
  /** Hook to add plugins, docs, WebSocket adapters before listening. */
  configure?: (app: NestFastifyApplication) => Promise<void> | void;
}

/**
 * Creates a NestJS app on Fastify with JSON logs and graceful shutdown: on SIGTERM readiness goes
 * false first, then Nest runs every onModuleDestroy/beforeApplicationShutdown hook (where services
 * finish or abort transactions, commit what is durable and leave their consumer groups).
 */
export async function bootstrapApp(module: unknown, opts: BootstrapOptions): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    module as never,
    new FastifyAdapter({ bodyLimit: opts.bodyLimit ?? 1024 * 1024, trustProxy: true }),
    { bufferLogs: true },
  );
  app.useLogger(app.get(Logger));
  app.enableShutdownHooks(['SIGTERM', 'SIGINT']);
  const health = app.get(HealthService);
  process.once('SIGTERM', () => health.markShuttingDown());
  useSecurityHeaders(app);
  await opts.configure?.(app);
  await app.listen(opts.port, opts.host ?? '0.0.0.0');
  return app;
}
