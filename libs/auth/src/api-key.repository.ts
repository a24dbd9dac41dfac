import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { returnedRow } from '@streammetrics/storage';
import { HASH_VERSION, type ApiKeyIdentity, type ApiKeyScope } from './api-key.format';

export interface ApiKeyRecord extends ApiKeyIdentity {
  keyPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
  expiresAt: Date | null;
}

export interface NewApiKey {
  name: string;
  clientId: string;
  keyPrefix: string;
  keyHash: string;
  scopes: ApiKeyScope[];
  ratePerSecond: number | null;
  services: string[] | null;
  expiresAt: Date | null;
}

/** An active key as the verifier holds it in memory: its stored hash and the hash's scheme. */
export interface StoredKey {
  record: ApiKeyRecord;
  keyHash: string;
  hashVersion: number;
}

interface Row {
  id: string;
  name: string;
  client_id: string;
  key_prefix: string;
  scopes: string[];
  rate_per_second: number | null;
  services: string[] | null;
  created_at: Date;
  revoked_at: Date | null;
  expires_at: Date | null;
}

const COLUMNS =
  'id, name, client_id, key_prefix, scopes, rate_per_second, services, created_at, revoked_at, expires_at';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ACTIVE = 'revoked_at IS NULL AND (expires_at IS NULL OR expires_at > now())';

function toRecord(r: Row): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    clientId: r.client_id,
    keyPrefix: r.key_prefix,
    scopes: r.scopes as ApiKeyScope[],
    ratePerSecond: r.rate_per_second,
    services: r.services,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
    expiresAt: r.expires_at,
  };
}

const INSERT = `INSERT INTO api_keys
  (id, name, client_id, key_prefix, key_hash, hash_version, scopes, rate_per_second, services, expires_at)
  VALUES ($1, $2, $3, $4, $5, ${HASH_VERSION}, $6, $7, $8, $9)`;

function insertParams(k: NewApiKey): unknown[] {
  return [
    randomUUID(),
    k.name,
    k.clientId,
    k.keyPrefix,
    k.keyHash,
    k.scopes,
    k.ratePerSecond,
    k.services,
    k.expiresAt,
  ];
}

/** The api_keys table (libs/storage migrations). Only hashes are stored; the pool is the caller's. */
export class ApiKeyRepository {
  constructor(private readonly pool: Pool) {}

  async insert(k: NewApiKey): Promise<ApiKeyRecord> {
    const { rows } = await this.pool.query<Row>(`${INSERT} RETURNING ${COLUMNS}`, insertParams(k));
    return toRecord(returnedRow(rows, 'api key insert'));
  }

  /** Inserts unless a key with this hash exists (revoked or not); returns whether it inserted. */
  async insertIfAbsent(k: NewApiKey): Promise<{ inserted: boolean; record: ApiKeyRecord }> {
    const { rows } = await this.pool.query<Row>(
      `${INSERT} ON CONFLICT (key_hash) DO NOTHING RETURNING ${COLUMNS}`,
      insertParams(k),
    );
    if (rows.length > 0) return { inserted: true, record: toRecord(returnedRow(rows, 'api key insert')) };
    const existing = await this.findByHash(k.keyHash);
    if (!existing) throw new Error('api key vanished between insert and read');
    return { inserted: false, record: existing };
  }

  async findByHash(keyHash: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.pool.query<Row>(`SELECT ${COLUMNS} FROM api_keys WHERE key_hash = $1`, [
      keyHash,
    ]);
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Every key that is neither revoked nor expired, with its hash: what the verifier holds in memory. */
  async listActiveWithHashes(): Promise<StoredKey[]> {
    const { rows } = await this.pool.query<Row & { key_hash: string; hash_version: number }>(
      `SELECT ${COLUMNS}, key_hash, hash_version FROM api_keys WHERE ${ACTIVE}`,
    );
    return rows.map((r) => ({ record: toRecord(r), keyHash: r.key_hash, hashVersion: r.hash_version }));
  }

  /** Rows still hashed with plain SHA-256 (hash_version 1). */
  async listLegacyHashes(): Promise<{ id: string; keyHash: string }[]> {
    const { rows } = await this.pool.query<{ id: string; key_hash: string }>(
      'SELECT id, key_hash FROM api_keys WHERE hash_version = 1',
    );
    return rows.map((r) => ({ id: r.id, keyHash: r.key_hash }));
  }

  /** Replaces a version-1 hash by its keyed form; a no-op when another process got there first. */
  async upgradeHash(id: string, legacyHash: string, keyHash: string): Promise<void> {
    await this.pool.query(
      `UPDATE api_keys SET key_hash = $3, hash_version = ${HASH_VERSION}
       WHERE id = $1 AND key_hash = $2 AND hash_version = 1`,
      [id, legacyHash, keyHash],
    );
  }

  async list(includeRevoked: boolean): Promise<ApiKeyRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM api_keys ${includeRevoked ? '' : `WHERE ${ACTIVE}`} ORDER BY created_at, id`,
    );
    return rows.map(toRecord);
  }

  /** Active keys whose id or prefix is `idOrPrefix` (more than one only on a prefix collision). */
  async findActive(idOrPrefix: string): Promise<ApiKeyRecord[]> {
    const byId = UUID.test(idOrPrefix);
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM api_keys
       WHERE ${ACTIVE} AND ${byId ? 'id = $1::uuid' : 'key_prefix = $1'}`,
      [idOrPrefix],
    );
    return rows.map(toRecord);
  }

  async revoke(id: string): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.pool.query<Row>(
      `UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL RETURNING ${COLUMNS}`,
      [id],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }

  /** Moves an active key's end of life earlier (never later): the grace period of a rotation. */
  async expire(id: string, at: Date): Promise<ApiKeyRecord | undefined> {
    const { rows } = await this.pool.query<Row>(
      `UPDATE api_keys SET expires_at = LEAST(COALESCE(expires_at, $2), $2)
       WHERE id = $1 AND ${ACTIVE} RETURNING ${COLUMNS}`,
      [id, at],
    );
    return rows[0] ? toRecord(rows[0]) : undefined;
  }
}
