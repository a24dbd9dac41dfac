import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { WsAdapter } from '@nestjs/platform-ws';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { ApiKeyService } from '@streammetrics/auth';
import type { QueryApiConfig } from './query-api.config';

/** Everything main.ts adds to the Nest app before it listens; shared with the in-process tests. */
export async function configureQueryApi(
  app: NestFastifyApplication,
  config: QueryApiConfig,
  dashboardDist: string | undefined,
): Promise<void> {
  app.useWebSocketAdapter(new WsAdapter(app));
  if (dashboardDist) {
    // Vite fingerprints asset names, so they can be cached for good; index.html is never cached.
    await app.register(fastifyStatic, {
      root: join(dashboardDist, 'assets'),
      prefix: '/assets/',
      decorateReply: false,
      immutable: true,
      maxAge: '365d',
    });
  }
  const doc = new DocumentBuilder()
    .setTitle('StreamMetrics query API')
    .setDescription(
      'Hot (Redis, last hour) and cold (PostgreSQL) aggregates as one series; live updates on the WebSocket ' +
        '/api/v1/live (protocol in apps/query-api/README.md). Every error: { "error": { "code", "message", "problems"? } }.',
    )
    .setVersion('1')
    .addBearerAuth()
    .build();
  SwaggerModule.setup('docs', app, SwaggerModule.createDocument(app, doc));
  if (config.DASHBOARD_API_KEY && config.DASHBOARD_ENSURE_KEY) {
    await app.get(ApiKeyService).ensure(config.DASHBOARD_API_KEY, {
      name: 'dashboard',
      clientId: 'dashboard',
      scopes: ['read'],
    });
  }
}
