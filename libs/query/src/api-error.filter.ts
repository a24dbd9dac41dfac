import { ArgumentsHost, Catch, HttpException, Logger, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { errorBody, isErrorBody } from '@streammetrics/contracts';
import { ApiError, type ApiErrorBody } from './api-error';

const CODES: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'RATE_LIMITED',
  503: 'UNAVAILABLE',
};

/** Store outages surface as these; a retry may help, so they become 503 with Retry-After. */
const CONNECTION_ERRORS = /ECONNREFUSED|ECONNRESET|ETIMEDOUT|Connection is closed|connect|terminat/i;

/** Every failure a REST client sees has the same body: { error: { code, message, problems? } }. */
@Catch()
export class ApiErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('ApiErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, body, retryAfter } = this.translate(exception);
    if (retryAfter) void reply.header('Retry-After', String(retryAfter));
    void reply.status(status).send(body);
  }

  private translate(exception: unknown): { status: number; body: ApiErrorBody; retryAfter?: number } {
    if (exception instanceof ApiError) {
      return {
        status: exception.status,
        body: exception.body(),
        retryAfter: exception.retriable ? 1 : undefined,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      if (isErrorBody(response)) return { status, body: response };
      const message =
        typeof response === 'string'
          ? response
          : String((response as { message?: unknown }).message ?? exception.message);
      return { status, body: errorBody(CODES[status] ?? `HTTP_${status}`, message) };
    }
    const err = exception as Error;
    if (CONNECTION_ERRORS.test(String(err?.message))) {
      this.log.warn(`store unavailable: ${err.message}`);
      return {
        status: 503,
        body: errorBody('STORE_UNAVAILABLE', 'a data store is unreachable; retry shortly'),
        retryAfter: 1,
      };
    }
    this.log.error(err?.stack ?? String(exception));
    return { status: 500, body: errorBody('INTERNAL', 'internal error') };
  }
}
