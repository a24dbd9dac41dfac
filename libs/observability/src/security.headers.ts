import type { IncomingMessage, ServerResponse } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import helmet from 'helmet';

/**
 * The response headers every HTTP app sends (helmet's defaults plus this CSP): the dashboard runs
 * only its own scripts — its configuration is a JSON data block, not inline code — and no page may
 * frame it. Inline styles stay allowed: the charting library and Swagger UI set them.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/**
 * The headers helmet sets with these options, computed once. Every directive is a constant (no
 * nonces, nothing read from the request), so they are the same for every response; running helmet
 * per request would build its whole middleware chain each time (what @fastify/helmet does).
 */
export function securityHeaders(): Record<string, string> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      headers[name] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader: (name: string) => delete headers[name],
  };
  helmet({ contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY } })(
    {} as IncomingMessage,
    recorder as unknown as ServerResponse,
    (err?: unknown) => {
      if (err) throw err;
    },
  );
  return headers;
}

export function useSecurityHeaders(app: NestFastifyApplication): void {
  const headers = securityHeaders();
  // onRequest: on every answer, 404s and errors included, before any handler can send.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('onRequest', (_req, reply, done) => {
      void reply.headers(headers);
      done();
    });
}
