import { createHash, createHmac, randomBytes } from 'node:crypto';

/** What a key may do. `admin` implies every other scope. */
export const API_KEY_SCOPES = ['ingest', 'read', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** The identity a verified key carries into a request. Never contains the secret or its hash. */
export interface ApiKeyIdentity {
  id: string;
  name: string;
  clientId: string;
  scopes: ApiKeyScope[];
  /** Events per second this key may send; null = the gateway's default. */
  ratePerSecond: number | null;
  /** The serviceIds this key may write and read; null = every service. */
  services: string[] | null;
}

const KEY_PATTERN = /^sm_([0-9a-f]{8})_([0-9a-f]{48})$/;
/** Keys longer than this are rejected before hashing: nothing legitimate is that long. */
export const MAX_KEY_LENGTH = 512;
/** The stored hash's scheme: 1 = plain SHA-256 (before the pepper), 2 = HMAC-SHA-256 over it. */
export const HASH_VERSION = 2;

/** A new random key: `sm_<8 hex prefix>_<48 hex secret>` (192 bits of secret). */
export function generateApiKey(): { key: string; prefix: string } {
  const prefix = randomBytes(4).toString('hex');
  return { key: `sm_${prefix}_${randomBytes(24).toString('hex')}`, prefix };
}

/** The hash rows of hash_version 1 hold; also the input of the keyed hash. */
export function legacyHashOf(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/** A version-1 hash rewrapped with the pepper: equal to hashApiKey of the same key. */
export function pepperHash(legacyHash: string, pepper: string): string {
  return createHmac('sha256', pepper).update(legacyHash, 'utf8').digest('hex');
}

/**
 * What is stored: HMAC-SHA-256 keyed with the server-side pepper, so a copy of the api_keys table
 * alone does not let anyone test guesses (operator-chosen bootstrap keys can be guessable). The
 * SHA-256 in between lets existing rows be upgraded without knowing their keys.
 */
export function hashApiKey(key: string, pepper: string): string {
  return pepperHash(legacyHashOf(key), pepper);
}

/**
 * The public part shown by `keys list` and usable with `keys revoke`. Keys that do not follow the
 * generated format (a bootstrap key chosen by an operator) get a prefix derived from their keyed
 * hash, so no part of the secret is ever stored in clear.
 */
export function keyPrefixOf(key: string, pepper: string): string {
  const m = KEY_PATTERN.exec(key);
  return m?.[1] ?? `h${hashApiKey(key, pepper).slice(0, 7)}`;
}

export function parseScopes(list: string): ApiKeyScope[] {
  const scopes = list
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  const bad = scopes.filter((s) => !(API_KEY_SCOPES as readonly string[]).includes(s));
  if (bad.length > 0 || scopes.length === 0) {
    throw new Error(`scopes must be a non-empty list of ${API_KEY_SCOPES.join(', ')} (got "${list}")`);
  }
  return [...new Set(scopes)] as ApiKeyScope[];
}

export function hasScope(identity: Pick<ApiKeyIdentity, 'scopes'>, needed: ApiKeyScope): boolean {
  return identity.scopes.includes(needed) || identity.scopes.includes('admin');
}

/** Whether a key bound to services (or not bound: null) may touch `serviceId`. */
export function mayAccessService(identity: Pick<ApiKeyIdentity, 'services'>, serviceId: string): boolean {
  return identity.services === null || identity.services.includes(serviceId);
}
