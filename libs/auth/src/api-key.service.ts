import { Inject, Injectable } from '@nestjs/common';
import {
  generateApiKey,
  hashApiKey,
  HASH_VERSION,
  keyPrefixOf,
  MAX_KEY_LENGTH,
  pepperHash,
  type ApiKeyIdentity,
  type ApiKeyScope,
} from './api-key.format';
import { ApiKeyDirectory, DirectoryUnavailableError, type DirectoryEntry } from './api-key.directory';
import { ApiKeyError } from './api-key.errors';
import { ApiKeyHashMemo } from './api-key.hash-memo';
import { ApiKeyRepository, type ApiKeyRecord } from './api-key.repository';
import { AUTH_OPTIONS } from './auth.options';

export interface ApiKeyServiceOptions {
  /** The server-side secret of the keyed hash (API_KEY_PEPPER); the same in every app. */
  pepper: string;
  /** How long the in-memory key table is trusted without reloading (≤ 2000: the revocation delay). */
  cacheTtlMs?: number;
  /** How long the last key table keeps working while the database is unreachable. 0 disables. */
  staleIfErrorMs?: number;
  now?: () => number;
}

export interface CreateApiKey {
  name: string;
  clientId: string;
  scopes: ApiKeyScope[];
  ratePerSecond?: number | null;
  /** serviceIds the key may write and read; null or absent = every service. */
  services?: string[] | null;
  expiresAt?: Date | null;
}

function identityOf(r: ApiKeyRecord): ApiKeyIdentity {
  return {
    id: r.id,
    name: r.name,
    clientId: r.clientId,
    scopes: r.scopes,
    ratePerSecond: r.ratePerSecond,
    services: r.services,
  };
}

/** How long a verified key's hash is remembered after it was computed (ApiKeyHashMemo). */
const HASH_MEMO_TTL_MS = 60_000;
const HASH_MEMO_MAX_KEYS = 10_000;

/**
 * Creates, lists, revokes, rotates and verifies API keys. Verification reads an in-memory key
 * table (ApiKeyDirectory) and, for a key verified within the last minute, its remembered hash: a
 * verification of a busy key is then two map lookups.
 */
@Injectable()
export class ApiKeyService {
  private readonly directory: ApiKeyDirectory;
  private readonly hashes: ApiKeyHashMemo;
  private readonly pepper: string;
  private readonly now: () => number;

  constructor(
    private readonly repo: ApiKeyRepository,
    @Inject(AUTH_OPTIONS) opts: ApiKeyServiceOptions,
  ) {
    const ttl = opts.cacheTtlMs ?? 1000;
    if (ttl < 0 || ttl > 2000) throw new Error('cacheTtlMs must be within 0..2000 (revocation delay)');
    if (opts.pepper.length < 16) throw new Error('the API key pepper must be at least 16 characters');
    this.pepper = opts.pepper;
    this.now = opts.now ?? Date.now;
    this.directory = new ApiKeyDirectory(
      () => this.loadActive(),
      ttl,
      opts.staleIfErrorMs ?? 60_000,
      this.now,
    );
    this.hashes = new ApiKeyHashMemo(HASH_MEMO_TTL_MS, HASH_MEMO_MAX_KEYS, this.now);
  }

  /** Creates a key and returns it in clear — the only time it is ever visible. */
  async create(input: CreateApiKey): Promise<{ key: string; record: ApiKeyRecord }> {
    const { key, prefix } = generateApiKey();
    const record = await this.repo.insert(this.newRow(key, prefix, input));
    this.directory.invalidate();
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
    // A row of this key from before the pepper must be found by its keyed hash, not duplicated.
    await this.upgradeLegacyHashes();
    const result = await this.repo.insertIfAbsent(this.newRow(key, keyPrefixOf(key, this.pepper), input));
    this.directory.invalidate();
    return result;
  }

  list(includeRevoked = false): Promise<ApiKeyRecord[]> {
    return this.repo.list(includeRevoked);
  }

  /** Revokes by id or prefix. Other replicas stop accepting the key when their key table reloads. */
  async revoke(idOrPrefix: string): Promise<ApiKeyRecord> {
    const target = await this.findOne(idOrPrefix);
    const revoked = await this.repo.revoke(target.id);
    if (!revoked) throw new ApiKeyError('NOT_FOUND', `key ${target.id} was revoked concurrently`);
    this.directory.invalidate();
    return revoked;
  }

  /**
   * A new key with the old one's name, client, scopes, rate and services; the old key keeps working
   * for `graceSeconds` (so clients can switch without an outage), 0 revokes it at once.
   */
  async rotate(idOrPrefix: string, graceSeconds = 0): Promise<{ key: string; record: ApiKeyRecord }> {
    const old = await this.findOne(idOrPrefix);
    const created = await this.create({ ...old, expiresAt: old.expiresAt });
    if (graceSeconds > 0) await this.repo.expire(old.id, new Date(this.now() + graceSeconds * 1000));
    else await this.repo.revoke(old.id);
    this.directory.invalidate();
    return created;
  }

  /**
   * Rewraps rows hashed before the pepper existed (plain SHA-256) into the keyed hash, in place.
   * Idempotent and safe to run from several processes at once. Returns how many it upgraded.
   */
  async upgradeLegacyHashes(): Promise<number> {
    const legacy = await this.repo.listLegacyHashes();
    for (const row of legacy)
      await this.repo.upgradeHash(row.id, row.keyHash, pepperHash(row.keyHash, this.pepper));
    if (legacy.length > 0) this.directory.invalidate();
    return legacy.length;
  }

  /**
   * The identity of an active key, or an ApiKeyError: UNAUTHORIZED for a missing, unknown, revoked
   * or expired key; AUTH_UNAVAILABLE (retriable) when the key table cannot be loaded.
   */
  async verify(key: string | undefined): Promise<ApiKeyIdentity> {
    if (!key) throw new ApiKeyError('UNAUTHORIZED', 'missing API key (Authorization: Bearer <key>)');
    if (key.length > MAX_KEY_LENGTH) throw new ApiKeyError('UNAUTHORIZED', 'invalid or revoked API key');
    await this.ready();
    const hash = this.hashes.get(key) ?? hashApiKey(key, this.pepper);
    const identity = this.directory.find(hash) ?? (await this.lookupMiss(hash));
    if (!identity) {
      this.hashes.forget(key);
      throw new ApiKeyError('UNAUTHORIZED', 'invalid, expired or revoked API key');
    }
    this.hashes.remember(key, hash);
    return identity;
  }

  /** Whether the key with this id is still active (for sessions that outlive one request). */
  async isActive(id: string): Promise<boolean> {
    await this.ready();
    return this.directory.findById(id) !== undefined;
  }

  /** A key created after the last reload of the key table (on another replica, or just now). */
  private async lookupMiss(hash: string): Promise<ApiKeyIdentity | undefined> {
    if (!this.directory.admitMissLookup()) return undefined;
    let r: ApiKeyRecord | undefined;
    try {
      r = await this.repo.findByHash(hash);
    } catch {
      return undefined; // the snapshot answered already; an outage must not turn a miss into a 503
    }
    if (!r || r.revokedAt !== null || (r.expiresAt !== null && r.expiresAt.getTime() <= this.now()))
      return undefined;
    this.directory.add({ hash, identity: identityOf(r), expiresAt: r.expiresAt?.getTime() ?? null });
    return this.directory.find(hash);
  }

  private async ready(): Promise<void> {
    try {
      await this.directory.ready();
    } catch (err) {
      if (!(err instanceof DirectoryUnavailableError)) throw err;
      throw new ApiKeyError('AUTH_UNAVAILABLE', 'cannot verify API keys: the key store is unreachable', true);
    }
  }

  private async findOne(idOrPrefix: string): Promise<ApiKeyRecord> {
    const matches = await this.repo.findActive(idOrPrefix);
    if (matches.length === 0)
      throw new ApiKeyError('NOT_FOUND', `no active key with id or prefix "${idOrPrefix}"`);
    if (matches.length > 1) {
      throw new ApiKeyError('CONFLICT', `prefix "${idOrPrefix}" matches ${matches.length} keys; use the id`);
    }
    return matches[0]!;
  }

  private newRow(key: string, prefix: string, input: CreateApiKey) {
    return {
      name: input.name,
      clientId: input.clientId,
      keyPrefix: prefix,
      keyHash: hashApiKey(key, this.pepper),
      scopes: input.scopes,
      ratePerSecond: input.ratePerSecond ?? null,
      services: input.services ?? null,
      expiresAt: input.expiresAt ?? null,
    };
  }

  private async loadActive(): Promise<DirectoryEntry[]> {
    const rows = await this.repo.listActiveWithHashes();
    return rows.map((r) => ({
      // A row not yet upgraded still verifies: its keyed hash is computable from what is stored.
      hash: r.hashVersion === HASH_VERSION ? r.keyHash : pepperHash(r.keyHash, this.pepper),
      identity: identityOf(r.record),
      expiresAt: r.record.expiresAt?.getTime() ?? null,
    }));
  }
}
