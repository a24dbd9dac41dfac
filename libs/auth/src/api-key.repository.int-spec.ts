import { setTimeout as sleep } from 'node:timers/promises';
import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { Pool } from 'pg';
import { testEnv, uniqueName } from '@streammetrics/testing';
import { legacyHashOf } from './api-key.format';
import { ApiKeyRepository } from './api-key.repository';
import { ApiKeyService } from './api-key.service';

describe('ApiKeyRepository + ApiKeyService on PostgreSQL', () => {
  let pool: Pool;
  let keys: ApiKeyService;

  beforeAll(() => {
    pool = new Pool({ connectionString: testEnv().databaseUrl, max: 2 });
    keys = new ApiKeyService(new ApiKeyRepository(pool), { pepper: LOCAL_API_KEY_PEPPER, cacheTtlMs: 0 });
  });
  afterAll(() => pool.end());

  it('creates, verifies, lists and revokes; only the hash is stored', async () => {
    const client = uniqueName('client');
    const { key, record } = await keys.create({
      name: 'it',
      clientId: client,
      scopes: ['ingest', 'read'],
      ratePerSecond: 50,
      services: ['svc-a'],
    });
    expect(await keys.verify(key)).toEqual({
      services: ['svc-a'],
      id: record.id,
      name: 'it',
      clientId: client,
      scopes: ['ingest', 'read'],
      ratePerSecond: 50,
    });
    const stored = await pool.query('SELECT key_hash, key_prefix FROM api_keys WHERE id = $1', [record.id]);
    expect(stored.rows[0].key_hash).not.toContain(key.split('_')[2]);
    expect((await keys.list()).some((k) => k.id === record.id)).toBe(true);
    await keys.revoke(record.id);
    await expect(keys.verify(key)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await keys.list()).some((k) => k.id === record.id)).toBe(false);
    expect((await keys.list(true)).find((k) => k.id === record.id)?.revokedAt).toBeInstanceOf(Date);
  });

  it('ensures a chosen key exactly once and leaves a revoked one revoked', async () => {
    const secret = uniqueName('bootstrap-secret');
    const first = await keys.ensure(secret, { name: 'boot', clientId: 'fleet', scopes: ['ingest', 'read'] });
    const again = await keys.ensure(secret, { name: 'boot', clientId: 'fleet', scopes: ['ingest', 'read'] });
    expect(first.inserted).toBe(true);
    expect(again).toMatchObject({ inserted: false, record: { id: first.record.id } });
    expect((await keys.verify(secret)).clientId).toBe('fleet');
    await keys.revoke(first.record.id);
    expect(
      (await keys.ensure(secret, { name: 'boot', clientId: 'fleet', scopes: ['ingest'] })).inserted,
    ).toBe(false);
    await expect(keys.verify(secret)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
  });

  it('refuses an expired key, and upgrades a row hashed before the pepper in place', async () => {
    const expiring = await keys.create({
      name: 'exp',
      clientId: uniqueName('client'),
      scopes: ['read'],
      expiresAt: new Date(Date.now() + 1500),
    });
    expect((await keys.verify(expiring.key)).id).toBe(expiring.record.id);
    await sleep(1600);
    await expect(keys.verify(expiring.key)).rejects.toMatchObject({ code: 'UNAUTHORIZED' });
    expect((await keys.list()).some((k) => k.id === expiring.record.id)).toBe(false);

    const secret = uniqueName('pre-pepper-secret');
    const { rows } = await pool.query<{ id: string }>(
      `INSERT INTO api_keys (id, name, client_id, key_prefix, key_hash, scopes, hash_version)
       VALUES (gen_random_uuid(), 'legacy', 'fleet', 'hlegacy', $1, '{ingest}', 1) RETURNING id`,
      [legacyHashOf(secret)],
    );
    expect((await keys.verify(secret)).id).toBe(rows[0]!.id);
    expect(await keys.upgradeLegacyHashes()).toBeGreaterThanOrEqual(1);
    const after = await pool.query('SELECT key_hash, hash_version FROM api_keys WHERE id = $1', [
      rows[0]!.id,
    ]);
    expect(after.rows[0]).toMatchObject({ hash_version: 2 });
    expect(after.rows[0].key_hash).not.toBe(legacyHashOf(secret));
    expect((await keys.verify(secret)).id).toBe(rows[0]!.id);
  });
});
