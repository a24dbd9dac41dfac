import { createHash, randomBytes } from 'node:crypto';

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
}

const KEY_PATTERN = /^sm_([0-9a-f]{8})_([0-9a-f]{48})$/;
/** Keys longer than this are rejected before hashing: nothing legitimate is that long. */
export const MAX_KEY_LENGTH = 512;

/** A new random key: `sm_<8 hex prefix>_<48 hex secret>` (192 bits of secret). */
export function generateApiKey(): { key: string; prefix: string } {
  const prefix = randomBytes(4).toString('hex');
  return { key: `sm_${prefix}_${randomBytes(24).toString('hex')}`, prefix };
}

/**
 * The public part shown by `keys list` and usable with `keys revoke`. Keys that do not follow the
 * generated format (a bootstrap key chosen by an operator) get a prefix derived from their hash,
 * so no part of the secret is ever stored in clear.
 */
export function keyPrefixOf(key: string): string {
  const m = KEY_PATTERN.exec(key);
  return m ? m[1] : `h${hashApiKey(key).slice(0, 7)}`;
}

/** Keys are high-entropy random strings, so a fast unsalted hash is enough (no dictionary to attack). */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
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
