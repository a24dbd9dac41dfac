import type { ApiKeyIdentity } from './api-key.format';

interface Entry {
  identity: ApiKeyIdentity | null;
  at: number;
}

/**
 * Verified keys by hash, including "unknown or revoked" answers (null) so a flood of bad keys does
 * not become a flood of queries. Entries are fresh for `ttlMs` — the bound on how long a revoked key
 * keeps working on a replica — and usable up to `staleMs` only while the database cannot answer.
 */
export class ApiKeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly ttlMs: number,
    private readonly staleMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number = Date.now,
  ) {}

  fresh(hash: string): Entry | undefined {
    const e = this.entries.get(hash);
    return e && this.now() - e.at < this.ttlMs ? e : undefined;
  }

  /** A known-good identity no older than the stale bound, for when the database is down. */
  stale(hash: string): ApiKeyIdentity | undefined {
    const e = this.entries.get(hash);
    return e?.identity && this.now() - e.at < this.staleMs ? e.identity : undefined;
  }

  set(hash: string, identity: ApiKeyIdentity | null): void {
    // Map iteration is insertion order: delete+set moves the key to the end, so eviction drops the oldest.
    this.entries.delete(hash);
    this.entries.set(hash, { identity, at: this.now() });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  invalidate(): void {
    this.entries.clear();
  }
}
