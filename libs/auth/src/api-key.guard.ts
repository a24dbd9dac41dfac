import {
  HttpException,
  HttpStatus,
  Injectable,
  type CanActivate,
  type ExecutionContext,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { errorBody } from '@streammetrics/contracts';
import { hasScope, type ApiKeyIdentity, type ApiKeyScope } from './api-key.format';
import { ApiKeyError } from './api-key.errors';
import { extractApiKey, type KeyBearingRequest } from './api-key.extractor';
import { ApiKeyService } from './api-key.service';

export const REQUIRED_SCOPE = 'streammetrics:required-scope';

/** Where the guard leaves the verified identity on the request. */
export interface AuthenticatedRequest extends KeyBearingRequest {
  apiKey?: ApiKeyIdentity;
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
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const needed = this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, [
      context.getHandler(),
      context.getClass(),
    ]);
    const req = context.switchToHttp().getRequest<AuthenticatedRequest>();
    try {
      const identity = await this.keys.verify(extractApiKey(req));
      if (needed && !hasScope(identity, needed)) {
        throw new ApiKeyError('FORBIDDEN', `this API key lacks the "${needed}" scope`);
      }
      req.apiKey = identity;
      return true;
    } catch (err) {
      throw err instanceof ApiKeyError ? apiKeyHttpError(err) : err;
    }
  }
}
