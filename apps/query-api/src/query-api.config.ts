import { join } from 'node:path';
import { z } from 'zod';
import { authChecks, authShape, bool, infraShape, int, loadConfig, type Env } from '@streammetrics/config';
import type { AuthModuleOptions } from '@streammetrics/auth';
import type { QueryOptions } from '@streammetrics/query';

const shape = {
  ...infraShape,
  ...authShape,
  QUERY_PORT: int(0, 65535).default(3000),
  /** Window starts newer than this are read from Redis (its TTL is 3600 s: keep a margin). */
  QUERY_HOT_WINDOW_SECONDS: int(60, 3600).default(3300),
  QUERY_WS_HIGH_WATER_BYTES: int(1024, 64 * 1024 * 1024).default(256 * 1024),
  QUERY_WS_RESUME_TTL_SECONDS: int(0, 3600).default(60),
  /** Requests per second one key may make to the REST API of one query-api process. */
  QUERY_RATE_PER_KEY: int(1, 1_000_000).default(100),
  QUERY_WS_MAX_CONNECTIONS: int(1, 1_000_000).default(5000),
  QUERY_WS_MAX_CONNECTIONS_PER_KEY: int(1, 100_000).default(50),
  QUERY_WS_IDLE_TIMEOUT_SECONDS: int(2, 3600).default(120),
  /** A read-scoped key injected into the dashboard page; empty: the page asks for a key. */
  DASHBOARD_API_KEY: z.string().min(16).max(512).optional(),
  /** Create DASHBOARD_API_KEY (scope read, client "dashboard") in api_keys if it does not exist. */
  DASHBOARD_ENSURE_KEY: bool().default(true),
  /** Build the dashboard with Vite at start-up when its dist/ is missing. */
  DASHBOARD_BUILD_ON_START: bool().default(true),
  /** The dashboard's Vite project (source, vite.config.mjs, dist/). */
  DASHBOARD_WEB_DIR: z
    .string()
    .min(1)
    .default(join(__dirname, '..', 'dashboard', 'web')),
};

export function loadQueryApiConfig(env: Env = process.env) {
  return loadConfig(shape, env, [authChecks]);
}

export type QueryApiConfig = ReturnType<typeof loadQueryApiConfig>;

/** API keys: verification, the admin REST API, and the request budgets of the guard. */
export function authOptions(c: QueryApiConfig): AuthModuleOptions {
  return {
    databaseUrl: c.DATABASE_URL,
    pepper: c.API_KEY_PEPPER,
    adminApi: true,
    unauthenticatedPerSecond: c.AUTH_UNAUTHENTICATED_RATE,
    requestsPerKeyPerSecond: c.QUERY_RATE_PER_KEY,
  };
}

export function queryOptions(c: QueryApiConfig): QueryOptions {
  return {
    redisUrl: c.REDIS_URL,
    databaseUrl: c.DATABASE_URL,
    hotWindowMs: c.QUERY_HOT_WINDOW_SECONDS * 1000,
    wsHighWaterBytes: c.QUERY_WS_HIGH_WATER_BYTES,
    wsResumeTtlMs: c.QUERY_WS_RESUME_TTL_SECONDS * 1000,
    wsMaxConnections: c.QUERY_WS_MAX_CONNECTIONS,
    wsMaxConnectionsPerKey: c.QUERY_WS_MAX_CONNECTIONS_PER_KEY,
    wsIdleTimeoutMs: c.QUERY_WS_IDLE_TIMEOUT_SECONDS * 1000,
    // Deployed, the page asks its user for a key: a key in the page is readable by anyone who can load it.
    dashboardApiKey: c.NODE_ENV === 'production' ? '' : (c.DASHBOARD_API_KEY ?? ''),
  };
}
