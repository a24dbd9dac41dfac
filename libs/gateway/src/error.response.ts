import { HttpException } from '@nestjs/common';
import { errorBody, isErrorBody, type ErrorBody } from '@streammetrics/contracts';
import type { GatewayErrorCode } from './gateway.errors';
import { GatewayError } from './gateway.errors';

export interface ErrorResponse {
  status: number;
  body: ErrorBody;
  headers: Record<string, string>;
}

const CODE_BY_STATUS: Record<number, GatewayErrorCode> = {
  400: 'INVALID_JSON',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'OVERLOADED',
};

/**
 * Every failure — ours, Nest's (guards, 404) and Fastify's (body limit, content type) — answered with
 * the same body `{ error: { code, message, problems? } }`. 503s always carry Retry-After.
 */
export function toErrorResponse(err: unknown): ErrorResponse {
  let r: ErrorResponse;
  if (err instanceof GatewayError) {
    r = { status: err.status, body: err.body(), headers: { ...err.opts.headers } };
    if (err.opts.retryAfterSec !== undefined) r.headers['Retry-After'] = String(err.opts.retryAfterSec);
  } else if (err instanceof HttpException) {
    const status = err.getStatus();
    const res = err.getResponse();
    const message =
      typeof res === 'string' ? res : String((res as { message?: unknown }).message ?? err.message);
    r = {
      status,
      body: isErrorBody(res) ? res : errorBody(CODE_BY_STATUS[status] ?? 'INTERNAL', message),
      headers: {},
    };
  } else if (typeof (err as { statusCode?: unknown })?.statusCode === 'number') {
    // Fastify's own errors (FST_ERR_CTP_*): body too large, unsupported media type, bad content length.
    const status = (err as { statusCode: number }).statusCode;
    r = {
      status,
      body: errorBody(CODE_BY_STATUS[status] ?? 'INTERNAL', (err as Error).message),
      headers: {},
    };
  } else {
    r = { status: 500, body: errorBody('INTERNAL', 'internal error'), headers: {} };
  }
  if (r.status === 503 && r.headers['Retry-After'] === undefined) r.headers['Retry-After'] = '1';
  // Fastify's own 415 says only "Unsupported Media Type"; tell the client what would be accepted.
  if (r.status === 415 && !(err instanceof GatewayError))
    r.body.error.message = 'Content-Type must be application/json';
  return r;
}
