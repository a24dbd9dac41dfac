import { hashApiKey, legacyHashOf } from './api-key.format';
import { ApiKeyError } from './api-key.errors';
import type { ApiKeyRecord, ApiKeyRepository, NewApiKey, StoredKey } from './api-key.repository';
import { ApiKeyService } from './api-key.service';

const PEPPER = 'unit-test-pepper-0123456789abcdef';

type Row = ApiKeyRecord & { keyHash: string; hashVersion: number };

/** The repository replaced by a map (a unit test does no I/O): the key table policy is what is under test. */
class MemoryRepo {
  rows: Row[] = [];
  loads = 0;
  lookups = 0;
  down = false;
  constructor(private readonly now: () => number) {}

  async insert(k: NewApiKey): Promise<ApiKeyRecord> {
    const r = { ...k, id: `id-${this.rows.length}`, createdAt: new Date(), revokedAt: null, hashVersion: 2 };
    this.rows.push(r);
    return r;
  }
  private active(r: Row): boolean {
    return !r.revokedAt && (!r.expiresAt || r.expiresAt.getTime() > this.now());
  }
  async listActiveWithHashes(): Promise<StoredKey[]> {
    this.loads++;
    if (this.down) throw new Error('connection refused');
    return this.rows
      .filter((r) => this.active(r))
      .map((r) => ({ record: r, keyHash: r.keyHash, hashVersion: r.hashVersion }));
  }
  async findByHash(h: string): Promise<ApiKeyRecord | undefined> {
    this.lookups++;
    if (this.down) throw new Error('connection refused');
    return this.rows.find((r) => r.keyHash === h);
  }
  async findActive(p: string): Promise<ApiKeyRecord[]> {
    return this.rows.filter((r) => this.active(r) && (r.id === p || r.keyPrefix === p));
  }
  async revoke(id: string): Promise<ApiKeyRecord | undefined> {
    const r = this.rows.find((x) => x.id === id);
    if (r) r.revokedAt = new Date();
    return r;
  }
  async expire(id: string, at: Date): Promise<ApiKeyRecord | undefined> {
    const r = this.rows.find((x) => x.id === id);
    if (r) r.expiresAt = at;
    return r;
  }
  async listLegacyHashes(): Promise<{ id: string; keyHash: string }[]> {
    return this.rows.filter((r) => r.hashVersion === 1).map((r) => ({ id: r.id, keyHash: r.keyHash }));
  }
  async upgradeHash(id: string, legacy: string, keyHash: string): Promise<void> {
    const r = this.rows.find((x) => x.id === id && x.keyHash === legacy);
    if (r) Object.assign(r, { keyHash, hashVersion: 2 });
  }
}

function setup(ttl = 1000) {
  let now = 1_000_000;
  const repo = new MemoryRepo(() => now);
  const svc = new ApiKeyService(repo as unknown as ApiKeyRepository, {
    pepper: PEPPER,
    cacheTtlMs: ttl,
    staleIfErrorMs: 10_000,
    now: () => now,
  });
  return { repo, svc, tick: (ms: number) => (now += ms), now: () => now };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: ApiKeyError) => e.code,
  );

describe('ApiKeyService', () => {
  it('verifies a created key from one load of the key table, shared by concurrent requests', async () => {
    const { repo, svc } = setup();
    const { key } = await svc.create({ name: 'n', clientId: 'c', scopes: ['ingest'], services: ['a'] });
    const ids = await Promise.all([svc.verify(key), svc.verify(key), svc.verify(key)]);
    expect(ids[0]).toEqual({
      id: 'id-0',
      name: 'n',
      clientId: 'c',
      scopes: ['ingest'],
      ratePerSecond: null,
      services: ['a'],
    });
    await svc.verify(key);
    expect(repo.loads).toBe(1);
  });

  it('stores only the keyed hash', async () => {
    const { repo, svc } = setup();
    const { key } = await svc.create({ name: 'n', clientId: 'c', scopes: ['read'] });
    expect(repo.rows[0]!.keyHash).toBe(hashApiKey(key, PEPPER));
    expect(repo.rows[0]!.keyHash).not.toBe(legacyHashOf(key));
  });

  it('finds a key created after the last load of the key table (on another replica)', async () => {
    const { repo, svc } = setup();
    const a = await svc.create({ name: 'n', clientId: 'c', scopes: ['read'] });
    await svc.verify(a.key);
    const elsewhere = new ApiKeyService(repo as unknown as ApiKeyRepository, { pepper: PEPPER });
    const b = await elsewhere.create({ name: 'm', clientId: 'c', scopes: ['read'] });
    expect((await svc.verify(b.key)).name).toBe('m');
    expect(repo.lookups).toBe(1);
  });

  it('answers a flood of random keys with a bounded number of queries, not one per key', async () => {
    const { repo, svc } = setup();
    await svc.create({ name: 'n', clientId: 'c', scopes: ['read'] });
    expect(await code(svc.verify(undefined))).toBe('UNAUTHORIZED');
    for (let i = 0; i < 1000; i++) {
      expect(await code(svc.verify(`sm_${String(i).padStart(8, '0')}_${'0'.repeat(48)}`))).toBe(
        'UNAUTHORIZED',
      );
    }
    expect(repo.loads).toBe(1);
    expect(repo.lookups).toBe(20); // the per-second budget of single lookups, all within one second
  });

  it('stops accepting a key revoked elsewhere once the TTL has passed', async () => {
    const { repo, svc, tick } = setup(1000);
    const { key, record } = await svc.create({ name: 'n', clientId: 'c', scopes: ['read'] });
    await svc.verify(key);
    await repo.revoke(record.id); // another replica revoked it
    tick(499);
    expect(await code(svc.verify(key))).toBe('ok');
    expect(await svc.isActive(record.id)).toBe(true);
    tick(501);
    expect(await code(svc.verify(key))).toBe('UNAUTHORIZED');
    expect(await svc.isActive(record.id)).toBe(false);
  });

  it('reloads the key table in the background from half its TTL on: requests do not wait for it', async () => {
    const { repo, svc, tick } = setup(1000);
    const { key, record } = await svc.create({ name: 'n', clientId: 'c', scopes: ['read'] });
    await svc.verify(key);
    expect(repo.loads).toBe(1);
    let release = () => {};
    const slow = new Promise<void>((r) => (release = r));
    const list = repo.listActiveWithHashes.bind(repo);
    repo.listActiveWithHashes = async () => (await slow, list());
    await repo.revoke(record.id);
    tick(600);
    // Answered from the snapshot while the reload is still running.
    expect(await code(svc.verify(key))).toBe('ok');
    expect(await code(svc.verify(key))).toBe('ok');
    release();
    await slow;
    await new Promise((r) => setImmediate(r));
    expect(repo.loads).toBe(2);
    // The background reload's table answers from now on: the revocation is seen before the TTL.
    expect(await code(svc.verify(key))).toBe('UNAUTHORIZED');
  });

  it('hashes a busy key once, yet refuses it as soon as the key table drops it', async () => {
    const { repo, svc, tick } = setup(1000);
    const { key, record } = await svc.create({ name: 'n', clientId: 'c', scopes: ['read'] });
    const hmac = jest.spyOn(jest.requireActual<typeof import('node:crypto')>('node:crypto'), 'createHmac');
    await svc.verify(key);
    await svc.verify(key);
    await svc.verify(key);
    expect(hmac).toHaveBeenCalledTimes(1);
    await repo.revoke(record.id); // elsewhere: only the reload of the key table tells this replica
    tick(1000);
    expect(await code(svc.verify(key))).toBe('UNAUTHORIZED');
    hmac.mockRestore();
  });

  it('refuses an expired key without waiting for a reload', async () => {
    const { svc, tick, now } = setup(1000);
    const { key } = await svc.create({
      name: 'n',
      clientId: 'c',
      scopes: ['read'],
      expiresAt: new Date(now() + 500),
    });
    expect(await code(svc.verify(key))).toBe('ok');
    tick(500);
    expect(await code(svc.verify(key))).toBe('UNAUTHORIZED');
  });

  it('keeps the last key table through a database outage, up to the stale bound', async () => {
    const { repo, svc, tick } = setup(1000);
    const { key } = await svc.create({ name: 'n', clientId: 'c', scopes: ['read'] });
    await svc.verify(key);
    repo.down = true;
    tick(5000);
    expect(await code(svc.verify(key))).toBe('ok');
    expect(await code(svc.verify('sm_00000000_other'))).toBe('UNAUTHORIZED');
    const loads = repo.loads;
    await svc.verify(key);
    expect(repo.loads).toBe(loads); // no new attempt within a TTL of the failed one
    tick(10_000);
    expect(await code(svc.verify(key))).toBe('AUTH_UNAVAILABLE');
  });

  it('refuses a cache TTL that would delay revocation beyond 2 s, and a short pepper', () => {
    expect(() => new ApiKeyService({} as ApiKeyRepository, { pepper: PEPPER, cacheTtlMs: 5000 })).toThrow(
      /2000/,
    );
    expect(() => new ApiKeyService({} as ApiKeyRepository, { pepper: 'short' })).toThrow(/pepper/);
  });

  it('revokes by prefix', async () => {
    const { svc } = setup();
    const { key, record } = await svc.create({ name: 'n', clientId: 'c', scopes: ['read'] });
    await svc.revoke(record.keyPrefix);
    expect(await code(svc.verify(key))).toBe('UNAUTHORIZED');
    await expect(svc.revoke(record.keyPrefix)).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('rotates: same grants under a new key, the old one kept for the grace period only', async () => {
    const { svc, tick } = setup();
    const old = await svc.create({
      name: 'n',
      clientId: 'c',
      scopes: ['ingest'],
      services: ['a'],
      ratePerSecond: 7,
    });
    const next = await svc.rotate(old.record.id, 60);
    expect(next.key).not.toBe(old.key);
    expect(await svc.verify(next.key)).toMatchObject({
      clientId: 'c',
      scopes: ['ingest'],
      services: ['a'],
      ratePerSecond: 7,
    });
    expect(await code(svc.verify(old.key))).toBe('ok');
    tick(60_000);
    expect(await code(svc.verify(old.key))).toBe('UNAUTHORIZED');
    const third = await svc.rotate(next.record.id);
    expect(await code(svc.verify(next.key))).toBe('UNAUTHORIZED');
    expect(await code(svc.verify(third.key))).toBe('ok');
  });

  it('verifies rows hashed before the pepper, and upgrades them in place', async () => {
    const { repo, svc } = setup();
    const key = 'an-operator-chosen-bootstrap-key';
    repo.rows.push({
      id: 'legacy',
      name: 'boot',
      clientId: 'fleet',
      keyPrefix: 'h0000000',
      keyHash: legacyHashOf(key),
      hashVersion: 1,
      scopes: ['ingest'],
      ratePerSecond: null,
      services: null,
      createdAt: new Date(),
      revokedAt: null,
      expiresAt: null,
    });
    expect((await svc.verify(key)).id).toBe('legacy');
    expect(await svc.upgradeLegacyHashes()).toBe(1);
    expect(repo.rows[0]).toMatchObject({ keyHash: hashApiKey(key, PEPPER), hashVersion: 2 });
    expect((await svc.verify(key)).id).toBe('legacy');
  });
});
