import { z } from 'zod';
import { int } from './config.fields';

/**
 * The pepper `npm start` and the tests use when API_KEY_PEPPER is unset. It is public (it is in
 * this file), so a deployment must set its own: with NODE_ENV=production the default is refused.
 */
export const LOCAL_API_KEY_PEPPER = 'streammetrics-local-pepper-for-npm-start-only';

/** The variables of the apps that verify or issue API keys (gateway, query-api, the keys CLI). */
export const authShape = {
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  /** The server-side secret of the keys' keyed hash; the same in every app, never logged. */
  API_KEY_PEPPER: z.string().min(32).default(LOCAL_API_KEY_PEPPER),
  /** Requests per second one client address may make without a valid key, per process. */
  AUTH_UNAUTHENTICATED_RATE: int(1, 1_000_000).default(20),
};

/** Cross-variable rules of authShape, for loadConfig's `checks`. */
export function authChecks(c: { NODE_ENV: string; API_KEY_PEPPER: string }): string[] {
  return c.NODE_ENV === 'production' && c.API_KEY_PEPPER === LOCAL_API_KEY_PEPPER
    ? ['API_KEY_PEPPER: must be set (32+ random characters) when NODE_ENV=production']
    : [];
}
