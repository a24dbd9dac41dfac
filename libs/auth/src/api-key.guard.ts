import {
  HttpException,
  HttpStatus,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { errorBody } from '@streammetrics/contracts';
import { hasScope, mayAccessService, type ApiKeyIdentity, type ApiKeyScope } from './api-key.format';
import { ApiKeyError } from './api-key.errors';
import { extractApiKey, type KeyBearingRequest } from './api-key.extractor';
import { ApiKeyService } from './api-key.service';
import { RequestLimits, TooManyRequests } from './request.limits';

export const REQUIRED_SCOPE = 'streammetrics:required-scope';

/** Where the guard leaves the verified identity on the request. */
export interface AuthenticatedRequest extends KeyBearingRequest {
  apiKey?: ApiKeyIdentity;
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  /** The client's address (Fastify's request.ip). */
  ip?: string;
}

/** The part of the reply the guard touches: headers of a 429 or of the per-key budget. */
interface HeaderReply {
  header(name: string, value: string): unknown;
}

const STATUS: Record<ApiKeyError['code'], number> = {
  UNAUTHORIZED: HttpStatus.UNAUTHORIZED,
  FORBIDDEN: HttpStatus.FORBIDDEN,
  AUTH_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
};

/** The error body every StreamMetrics HTTP API answers with. */
export function apiKeyHttpError(err: ApiKeyError): HttpException {
  return new HttpException(errorBody(err.code, err.message), STATUS[err.code]);
}

/**
 * 401 for a missing, unknown or revoked key; 403 for a key without the route's scope (set with
 * @RequireScope); 503 when keys cannot be verified. On success the identity is on `request.apiKey`.
 */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: ApiKeyService,
    private readonly limits: RequestLimits,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const needed = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const reply = context.switchToHttp().getResponse<HeaderReply>();
    const address = req.ip ?? 'unknown';
    try {
      this.limits.checkAddress(address);
      let identity: ApiKeyIdentity;
      try {
        identity = await this.keys.verify(extractApiKey(req));
      } catch (err) {
        if (err instanceof ApiKeyError && err.code === 'UNAUTHORIZED') this.limits.countFailure(address);
        throw err;
      }
      if (needed && !hasScope(identity, needed)) {
        throw new ApiKeyError('FORBIDDEN', `this API key lacks the "${needed}" scope`);
      }
      // A key bound to services reaches no route naming another one (`:service` or `?service=`).
      const service = req.params?.service ?? req.query?.service;
      if (typeof service === 'string' && !mayAccessService(identity, service)) {
        throw new ApiKeyError('FORBIDDEN', `this API key may not access service "${service}"`);
      }
      for (const [k, v] of Object.entries(this.limits.countKey(identity))) reply.header(k, v);
      req.apiKey = identity;
      return true;
    } catch (err) {
      if (err instanceof TooManyRequests)
        for (const [k, v] of Object.entries(err.headers)) reply.header(k, v);
      throw err instanceof ApiKeyError ? apiKeyHttpError(err) : err;
    }
  }
}
