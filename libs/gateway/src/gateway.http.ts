import { promisify } from 'node:util';
import { gunzip, inflate } from 'node:zlib';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { GatewayError } from './gateway.errors';
import { GatewayMetrics } from './gateway.metrics';

const gunzipAsync = promisify(gunzip);
const inflateAsync = promisify(inflate);
const INGEST_ROUTES: Record<string, string> = { '/api/v1/events': 'events', '/metrics': 'metrics' };

/** Decodes Content-Encoding with the body limit applied to the decoded size too (no zip bombs). */
async function decode(req: FastifyRequest, body: Buffer, limit: number): Promise<Buffer> {
  const encoding = String(req.headers['content-encoding'] ?? 'identity')
    .toLowerCase()
    .trim();
  const inflater =
    encoding === 'gzip' || encoding === 'x-gzip'
      ? gunzipAsync
      : encoding === 'deflate'
        ? inflateAsync
        : undefined;
  if (!inflater) {
    if (encoding === 'identity') return body;
    throw new GatewayError(
      415,
      'UNSUPPORTED_MEDIA_TYPE',
      `Content-Encoding "${encoding}" is not supported (gzip, deflate)`,
    );
  }
  try {
    return await inflater(body, { maxOutputLength: limit });
  } catch (err) {
    if ((err as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE') {
      throw new GatewayError(413, 'PAYLOAD_TOO_LARGE', `decoded body larger than ${limit} bytes`);
    }
    throw new GatewayError(
      400,
      'INVALID_JSON',
      `body is not valid ${encoding} data: ${(err as Error).message}`,
    );
  }
}

async function parseJson(req: FastifyRequest, body: Buffer, limit: number): Promise<unknown> {
  const raw = await decode(req, body, limit);
  try {
    return JSON.parse(raw.toString('utf8'));
  } catch (err) {
    const message = raw.length === 0 ? 'empty body' : `malformed JSON: ${(err as Error).message}`;
    throw new GatewayError(400, 'INVALID_JSON', message, { problems: [{ index: 0, field: '', message }] });
  }
}

/**
 * The gateway's HTTP edges, on the Fastify instance before it listens: the JSON-only body parser
 * (gzip/deflate, limit on both sizes, 415 otherwise), the request metrics, and the OpenAPI docs at /docs.
 */
export function configureGatewayHttp(app: NestFastifyApplication, opts: { bodyLimit: number }): void {
  const fastify = app.getHttpAdapter().getInstance();
  // Nest adds its JSON and urlencoded parsers at init unless they are registered already: register
  // them now, then replace them all, so JSON (ours) is the only accepted media type.
  app.getHttpAdapter().registerParserMiddleware();
  fastify.removeAllContentTypeParsers();
  fastify.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: opts.bodyLimit },
    (req: FastifyRequest, body: Buffer | string) => parseJson(req, body as Buffer, opts.bodyLimit),
  );
  const metrics = app.get(GatewayMetrics);
  fastify.addHook('onResponse', (req, reply, done) => {
    const route = req.method === 'POST' ? INGEST_ROUTES[req.routeOptions.url ?? ''] : undefined;
    if (route) {
      metrics.requests.inc({ route });
      if (reply.statusCode < 300) metrics.requestsSuccess.inc({ route });
      else metrics.requestsFailed.inc({ route, code: String(reply.statusCode) });
      metrics.latency.observe({ route }, reply.elapsedTime / 1000);
    }
    done();
  });

  const doc = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('StreamMetrics ingest gateway')
      .setDescription(
        'Metrics over HTTP into Kafka. Authorization: Bearer <API key> with the "ingest" scope. ' +
          'Bodies are JSON (optionally gzip); a 2xx answer means the broker acknowledged every event (acks=all). ' +
          'Errors: { "error": { "code", "message", "problems"? } }.',
      )
      .setVersion('1')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, doc);
}
