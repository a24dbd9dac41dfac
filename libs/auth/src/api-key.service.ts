import {
  generateApiKey,
  hashApiKey,
  keyPrefixOf,
  MAX_KEY_LENGTH,
  type ApiKeyIdentity,
  type ApiKeyScope,
} from './api-key.format';
import { ApiKeyCache } from './api-key.cache';
import { ApiKeyError } from './api-key.errors';
import type { ApiKeyRecord, ApiKeyRepository } from './api-key.repository';

export interface ApiKeyServiceOptions {
  /** How long a verification is trusted without asking the database (≤ 2000: the revocation delay). */
  cacheTtlMs?: number;
  /** How long a known-good key keeps working while the database is unreachable. 0 disables. */
  staleIfErrorMs?: number;
  maxCachedKeys?: number;
  now?: () => number;
}

export interface CreateApiKey {
  name: string;
  clientId: string;
  scopes: ApiKeyScope[];
  ratePerSecond?: number | null;
}

function identityOf(r: ApiKeyRecord): ApiKeyIdentity {
  return { id: r.id, name: r.name, clientId: r.clientId, scopes: r.scopes, ratePerSecond: r.ratePerSecond };
}

/** Creates, lists, revokes and verifies API keys. Verification is cached per process for a short TTL. */
export class ApiKeyService {
  private readonly cache: ApiKeyCache;
  /** Concurrent requests with the same uncached key share one query. */
  private readonly lookups = new Map<string, Promise<ApiKeyIdentity | null>>();

  constructor(
    private readonly repo: ApiKeyRepository,
    opts: ApiKeyServiceOptions = {},
  ) {
    const ttl = opts.cacheTtlMs ?? 1000;
    if (ttl < 0 || ttl > 2000) throw new Error('cacheTtlMs must be within 0..2000 (revocation delay)');
    this.cache = new ApiKeyCache(ttl, opts.staleIfErrorMs ?? 60_000, opts.maxCachedKeys ?? 10_000, opts.now);
  }

  /** Creates a key and returns it in clear — the only time it is ever visible. */
  async create(input: CreateApiKey): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key, prefix } = generateApiKey();
    const record = await this.repo.insert({
      name: input.name,
      clientId: input.clientId,
      keyPrefix: prefix,
      keyHash: hashApiKey(key),
      scopes: input.scopes,
      ratePerSecond: input.ratePerSecond ?? null,
    });
    return { key, record };
  }

  /**
   * Makes sure a key with exactly this secret exists (the bootstrap key of `npm start`). An existing
   * key is left as it is — in particular a revoked one stays revoked.
   */
  async ensure(key: string, input: CreateApiKey): Promise<{ inserted: boolean; record: ApiKeyRecord }> {
    if (key.length < 16 || key.length > MAX_KEY_LENGTH) {
      throw new Error(`a key must be 16..${MAX_KEY_LENGTH} characters long`);
    }
    return this.repo.insertIfAbsent({
      name: input.name,
      clientId: input.clientId,
      keyPrefix: keyPrefixOf(key),
      keyHash: hashApiKey(key),
      scopes: input.scopes,
      ratePerSecond: input.ratePerSecond ?? null,
    });
  }

  list(includeRevoked = false): Promise<ApiKeyRecord[]> {
    return this.repo.list(includeRevoked);
  }

  /** Revokes by id or prefix. Other replicas stop accepting the key when their cache entry expires. */
  async revoke(idOrPrefix: string): Promise<ApiKeyRecord> {
    const matches = await this.repo.findActive(idOrPrefix);
    if (matches.length === 0) throw new Error(`no active key with id or prefix "${idOrPrefix}"`);
    if (matches.length > 1) {
      throw new Error(`prefix "${idOrPrefix}" matches ${matches.length} keys; revoke by id instead`);
    }
    const revoked = await this.repo.revoke(matches[0].id);
    if (!revoked) throw new Error(`key ${matches[0].id} was revoked concurrently`);
    this.cache.invalidate();
    return revoked;
  }

  /**
   * The identity of an active key, or an ApiKeyError: UNAUTHORIZED for a missing, unknown or revoked
   * key; AUTH_UNAVAILABLE (retriable) when the database cannot answer and nothing usable is cached.
   */
  async verify(key: string | undefined): Promise<ApiKeyIdentity> {
    if (!key) throw new ApiKeyError('UNAUTHORIZED', 'missing API key (Authorization: Bearer <key>)');
    if (key.length > MAX_KEY_LENGTH) throw new ApiKeyError('UNAUTHORIZED', 'invalid or revoked API key');
    const hash = hashApiKey(key);
    const cached = this.cache.fresh(hash);
    const identity = cached ? cached.identity : await this.lookup(hash);
    if (!identity) throw new ApiKeyError('UNAUTHORIZED', 'invalid or revoked API key');
    return identity;
  }

  private lookup(hash: string): Promise<ApiKeyIdentity | null> {
    let pending = this.lookups.get(hash);
    if (!pending) {
      pending = this.repo
        .findByHash(hash)
        .then(
          (r) => {
            const identity = r && r.revokedAt === null ? identityOf(r) : null;
            this.cache.set(hash, identity);
            return identity;
          },
          (err: Error) => {
            const stale = this.cache.stale(hash);
            if (stale) return stale;
            throw new ApiKeyError('AUTH_UNAVAILABLE', `cannot verify API keys: ${err.message}`, true);
          },
        )
        .finally(() => this.lookups.delete(hash));
      this.lookups.set(hash, pending);
    }
    return pending;
  }
}
