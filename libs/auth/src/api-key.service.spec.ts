import { ApiKeyError } from './api-key.errors';
import type { ApiKeyRecord, ApiKeyRepository, NewApiKey } from './api-key.repository';
import { ApiKeyService } from './api-key.service';

/** The repository replaced by a map (a unit test does no I/O): the caching policy is what is under test. */
class MemoryRepo {
  rows: (ApiKeyRecord & { keyHash: string })[] = [];
  queries = 0;
  down = false;

  async insert(k: NewApiKey): Promise<ApiKeyRecord> {
    const r = { ...k, id: `id-${this.rows.length}`, createdAt: new Date(), revokedAt: null };
    this.rows.push(r);
    return r;
  }
  async findByHash(h: string): Promise<ApiKeyRecord | undefined> {
    this.queries++;
    if (this.down) throw new Error('connection refused');
    return this.rows.find((r) => r.keyHash === h);
  }
  async findActive(p: string): Promise<ApiKeyRecord[]> {
    return this.rows.filter((r) => !r.revokedAt && (r.id === p || r.keyPrefix === p));
  }
  async revoke(id: string): Promise<ApiKeyRecord | undefined> {
    const r = this.rows.find((x) => x.id === id);
    if (r) r.revokedAt = new Date();
    return r;
  }
}

function setup(ttl = 1000) {
  let now = 0;
  const repo = new MemoryRepo();
  const svc = new ApiKeyService(repo as unknown as ApiKeyRepository, {
    cacheTtlMs: ttl,
    staleIfErrorMs: 10_000,
    now: () => now,
  });
  return { repo, svc, tick: (ms: number) => (now += ms) };
}

const code = (p: Promise<unknown>) =>
  p.then(
    () => 'ok',
    (e: ApiKeyError) => e.code,
  );

describe('ApiKeyService', () => {
  it('verifies a created key, caches it, and shares concurrent lookups', async () => {
    const { repo, svc } = setup();
    const { key } = await svc.create({ name: 'n', clientId: 'c', scopes: ['ingest'] });
    const ids = await Promise.all([svc.verify(key), svc.verify(key), svc.verify(key)]);
    expect(ids[0]).toEqual({ id: 'id-0', name: 'n', clientId: 'c', scopes: ['ingest'], ratePerSecond: null });
    expect(repo.queries).toBe(1);
    await svc.verify(key);
    expect(repo.queries).toBe(1);
  });

  it('refuses missing and unknown keys, caching the negative answer too', async () => {
    const { repo, svc } = setup();
    expect(await code(svc.verify(undefined))).toBe('UNAUTHORIZED');
    expect(await code(svc.verify('sm_00000000_nope'))).toBe('UNAUTHORIZED');
    expect(await code(svc.verify('sm_00000000_nope'))).toBe('UNAUTHORIZED');
    expect(repo.queries).toBe(1);
  });

  it('stops accepting a key revoked elsewhere once the TTL has passed', async () => {
    const { repo, svc, tick } = setup(1000);
    const { key, record } = await svc.create({ name: 'n', clientId: 'c', scopes: ['read'] });
    await svc.verify(key);
    await repo.revoke(record.id); // another replica revoked it
    tick(999);
    expect(await code(svc.verify(key))).toBe('ok');
    tick(1);
    expect(await code(svc.verify(key))).toBe('UNAUTHORIZED');
  });

  it('keeps a known-good key working through a database outage, up to the stale bound', async () => {
    const { repo, svc, tick } = setup(1000);
    const { key } = await svc.create({ name: 'n', clientId: 'c', scopes: ['read'] });
    await svc.verify(key);
    repo.down = true;
    tick(5000);
    expect(await code(svc.verify(key))).toBe('ok');
    expect(await code(svc.verify('sm_00000000_other'))).toBe('AUTH_UNAVAILABLE');
    tick(10_000);
    expect(await code(svc.verify(key))).toBe('AUTH_UNAVAILABLE');
  });

  it('refuses a cache TTL that would delay revocation beyond 2 s', () => {
    expect(() => new ApiKeyService({} as ApiKeyRepository, { cacheTtlMs: 5000 })).toThrow(/2000/);
  });

  it('revokes by prefix', async () => {
    const { svc } = setup();
    const { key, record } = await svc.create({ name: 'n', clientId: 'c', scopes: ['read'] });
    await svc.revoke(record.keyPrefix);
    expect(await code(svc.verify(key))).toBe('UNAUTHORIZED');
    await expect(svc.revoke(record.keyPrefix)).rejects.toThrow(/no active key/);
  });
});
