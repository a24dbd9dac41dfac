import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import type { ApiKeyIdentity, ApiKeyScope } from './api-key.format';

export interface ApiKeyRecord extends ApiKeyIdentity {
  keyPrefix: string;
  createdAt: Date;
  revokedAt: Date | null;
}

export interface NewApiKey {
  name: string;
  clientId: string;
  keyPrefix: string;
  keyHash: string;
  scopes: ApiKeyScope[];
  ratePerSecond: number | null;
}

interface Row {
  id: string;
  name: string;
  client_id: string;
  key_prefix: string;
  scopes: string[];
  rate_per_second: number | null;
  created_at: Date;
  revoked_at: Date | null;
}

const COLUMNS = 'id, name, client_id, key_prefix, scopes, rate_per_second, created_at, revoked_at';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function toRecord(r: Row): ApiKeyRecord {
  return {
    id: r.id,
    name: r.name,
    clientId: r.client_id,
    keyPrefix: r.key_prefix,
    scopes: r.scopes as ApiKeyScope[],
    ratePerSecond: r.rate_per_second,
    createdAt: r.created_at,
    revokedAt: r.revoked_at,
  };
}

/** The api_keys table (libs/storage migrations). Only hashes are stored; the pool is the caller's. */
export class ApiKeyRepository {
  constructor(private readonly pool: Pool) {}

  async insert(k: NewApiKey): Promise<ApiKeyRecord> {
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO api_keys (id, name, client_id, key_prefix, key_hash, scopes, rate_per_second)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      [randomUUID(), k.name, k.clientId, k.keyPrefix, k.keyHash, k.scopes, k.ratePerSecond],
    );
    return toRecord(rows[0]);
  }

  /** Inserts unless a key with this hash exists (revoked or not); returns whether it inserted. */
  async insertIfAbsent(k: NewApiKey): Promise<{ inserted: boolean; record: ApiKeyRecord }> {
    const { rows } = await this.pool.query<Row>(
      `INSERT INTO api_keys (id, name, client_id, key_prefix, key_hash, scopes, rate_per_second)
       VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (key_hash) DO NOTHING RETURNING ${COLUMNS}`,
      [randomUUID(), k.name, k.clientId, k.keyPrefix, k.keyHash, k.scopes, k.ratePerSecond],
    );
    if (rows.length > 0) return { inserted: true, record: toRecord(rows[0]) };
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

  async list(includeRevoked: boolean): Promise<ApiKeyRecord[]> {
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM api_keys ${includeRevoked ? '' : 'WHERE revoked_at IS NULL'} ORDER BY created_at, id`,
    );
    return rows.map(toRecord);
  }

  /** Active keys whose id or prefix is `idOrPrefix` (more than one only on a prefix collision). */
  async findActive(idOrPrefix: string): Promise<ApiKeyRecord[]> {
    const byId = UUID.test(idOrPrefix);
    const { rows } = await this.pool.query<Row>(
      `SELECT ${COLUMNS} FROM api_keys
       WHERE revoked_at IS NULL AND ${byId ? 'id = $1::uuid' : 'key_prefix = $1'}`,
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
}
