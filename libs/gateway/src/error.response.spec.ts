import { HttpException } from '@nestjs/common';
import { toErrorResponse } from './error.response';
import { GatewayError } from './gateway.errors';

describe('toErrorResponse', () => {
  it('formats validation problems, all of them, in the one error body', () => {
    const problems = [
      { index: 0, field: '/value', message: 'must be number' },
      { index: 3, field: '/name', message: 'must match pattern' },
    ];
    const r = toErrorResponse(GatewayError.validation(problems));
    expect(r.status).toBe(400);
    expect(r.body).toEqual({
      error: {
        code: 'VALIDATION_FAILED',
        message: '2 problem(s) in 2 item(s); nothing was accepted',
        problems,
      },
    });
  });

  it('adds Retry-After and the error headers', () => {
    const r = toErrorResponse(
      new GatewayError(429, 'RATE_LIMITED', 'slow down', {
        retryAfterSec: 3,
        headers: { 'RateLimit-Limit': '5' },
      }),
    );
    expect(r.headers).toEqual({ 'RateLimit-Limit': '5', 'Retry-After': '3' });
    expect(toErrorResponse(GatewayError.kafkaUnavailable('down')).headers['Retry-After']).toBe('2');
  });

  it('keeps the auth guard body and reshapes Nest and Fastify errors', () => {
    const guard = new HttpException({ error: { code: 'FORBIDDEN', message: 'no scope' } }, 403);
    expect(toErrorResponse(guard)).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
    expect(toErrorResponse(new HttpException('Cannot GET /x', 404)).body).toEqual({
      error: { code: 'NOT_FOUND', message: 'Cannot GET /x' },
    });
    const fst = Object.assign(new Error('Request body is too large'), { statusCode: 413 });
    expect(toErrorResponse(fst).body.error.code).toBe('PAYLOAD_TOO_LARGE');
    const media = Object.assign(new Error('Unsupported Media Type'), { statusCode: 415 });
    expect(toErrorResponse(media).body.error.message).toBe('Content-Type must be application/json');
    expect(toErrorResponse(new Error('boom'))).toMatchObject({
      status: 500,
      body: { error: { code: 'INTERNAL' } },
    });
  });
});
