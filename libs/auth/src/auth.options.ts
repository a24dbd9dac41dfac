import type { ApiKeyServiceOptions } from './api-key.service';

export const AUTH_OPTIONS = Symbol('AUTH_OPTIONS');
export const AUTH_PG_POOL = Symbol('AUTH_PG_POOL');

export interface AuthModuleOptions extends ApiKeyServiceOptions {
  databaseUrl: string;
  /** Connections of the module's own pg pool (default 4). */
  poolSize?: number;
  /** Serve the key-management REST API (scope admin) under /api/v1/keys. */
  adminApi?: boolean;
  /** Requests per second one client address may make without a valid key (default 20). */
  unauthenticatedPerSecond?: number;
  /** Requests per second per key on this process; absent = not limited here. */
  requestsPerKeyPerSecond?: number;
}
