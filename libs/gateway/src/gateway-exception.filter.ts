import { Catch, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { toErrorResponse } from './error.response';

/** Nest-side errors (guards, handlers) in the gateway's one error shape. */
@Catch()
export class GatewayExceptionFilter implements ExceptionFilter {
  private readonly log = new Logger('GatewayErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const r = toErrorResponse(exception);
    if (r.status >= 500 && r.status !== 503) this.log.error(exception);
    void host.switchToHttp().getResponse<FastifyReply>().status(r.status).headers(r.headers).send(r.body);
  }
}
