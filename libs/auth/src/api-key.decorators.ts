import {
  applyDecorators,
  createParamDecorator,
  SetMetadata,
  UseGuards,
  type ExecutionContext,
} from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { ApiKeyIdentity as Identity, ApiKeyScope } from './api-key.format';
import { ApiKeyGuard, REQUIRED_SCOPE, type AuthenticatedRequest } from './api-key.guard';

/** Guards a controller or route: a valid API key holding `scope` (or `admin`) is required. */
export function RequireScope(scope: ApiKeyScope): MethodDecorator & ClassDecorator {
  return applyDecorators(
    SetMetadata(REQUIRED_SCOPE, scope),
    UseGuards(ApiKeyGuard),
    ApiBearerAuth(),
    ApiUnauthorizedResponse({ description: 'missing, unknown or revoked API key' }),
    ApiForbiddenResponse({ description: `API key without the "${scope}" scope` }),
  );
}

/** The verified key of a request the guard let through; throws if the route is not guarded. */
export function apiKeyIdentityOf(req: AuthenticatedRequest): Identity {
  if (!req.apiKey) throw new Error('no API key identity on this request: is the route under @RequireScope?');
  return req.apiKey;
}

/** The identity type under the decorator's name, so one import serves both uses. */
export type ApiKeyIdentity = Identity;

/** Handler parameter: `@ApiKeyIdentity() key: ApiKeyIdentity`. */
export const ApiKeyIdentity = createParamDecorator((_: unknown, ctx: ExecutionContext): Identity =>
  apiKeyIdentityOf(ctx.switchToHttp().getRequest<AuthenticatedRequest>()),
);
