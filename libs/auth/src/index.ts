export * from './api-key.format';
export * from './api-key.errors';
export * from './api-key.extractor';
export * from './api-key.repository';
export * from './api-key.service';
export * from './api-key.guard';
export * from './api-key.directory';
// Explicit, so the decorator (value + type) shadows the plain interface of api-key.format.
export { ApiKeyIdentity, RequireScope, apiKeyIdentityOf } from './api-key.decorators';
export * from './auth.options';
export * from './auth.module';
export * from './local.limiter';
export * from './request.limits';
