import type { ApiKeyIdentity } from './api-key.format';

/** One active key as held in memory: looked up by keyed hash, or by id for open sessions. */
export interface DirectoryEntry {
  hash: string;
  identity: ApiKeyIdentity;
  /** Epoch ms after which the key is refused; null = no expiry. */
  expiresAt: number | null;
}

export class DirectoryUnavailableError extends Error {
  constructor(override readonly cause: Error) {
    super(cause.message);
    this.name = 'DirectoryUnavailableError';
  }
}

/**
 * Every active key of the table, in memory, reloaded at most once per `ttlMs`. Verifying a key is
 * then a map lookup. A key created since the last load is looked up singly, but at most
 * `missLookupsPerSecond` such lookups run per second: a flood of random keys costs a bounded number
 * of queries, not one per request (a per-key negative cache would cost one per distinct key, and
 * evict the good entries). `ttlMs` bounds how long a revoked key keeps working on a replica
 * (plus the duration of the reload that drops it). While the database cannot answer, the last snapshot is
 * used for up to `staleMs`; after that verification fails as unavailable.
 */
export class ApiKeyDirectory {
  private byHash = new Map<string, DirectoryEntry>();
  private byId = new Map<string, DirectoryEntry>();
  private loadedAt?: number;
  private failedAt?: number;
  private lastError?: Error;
  private loading?: Promise<void>;
  private missSecond = -1;
  private missesThisSecond = 0;

  constructor(
    private readonly load: () => Promise<DirectoryEntry[]>,
    private readonly ttlMs: number,
    private readonly staleMs: number,
    private readonly now: () => number = Date.now,
    private readonly missLookupsPerSecond = 20,
  ) {}

  /**
   * Makes the snapshot fresh enough to answer, or throws DirectoryUnavailableError. From half its
   * TTL on, a snapshot is reloaded in the background while it still answers, so under steady
   * traffic no request waits for the key table; only one older than the TTL (idle process, reload
   * slower than half a TTL, or invalidated) makes the request wait. The TTL stays the bound on how
   * long a revoked key is accepted.
   */
  async ready(): Promise<void> {
    const t = this.now();
    const age = this.loadedAt === undefined ? Infinity : t - this.loadedAt;
    // After a failed load, wait one TTL before the next attempt: an outage must not turn every
    // request into a connection attempt.
    const backingOff = this.failedAt !== undefined && t - this.failedAt < this.ttlMs;
    if (age >= this.ttlMs / 2 && !backingOff) {
      const reload = this.reload();
      if (age >= this.ttlMs) await reload;
    }
    if (this.loadedAt !== undefined && this.now() - this.loadedAt < Math.max(this.staleMs, this.ttlMs))
      return;
    throw new DirectoryUnavailableError(this.lastError ?? new Error('api keys not loaded'));
  }

  find(hash: string): ApiKeyIdentity | undefined {
    return this.usable(this.byHash.get(hash));
  }

  findById(id: string): ApiKeyIdentity | undefined {
    return this.usable(this.byId.get(id));
  }

  /** Whether a key missing from the snapshot may be looked up singly now (the flood bound). */
  admitMissLookup(): boolean {
    const second = Math.floor(this.now() / 1000);
    if (second !== this.missSecond) {
      this.missSecond = second;
      this.missesThisSecond = 0;
    }
    return this.missesThisSecond++ < this.missLookupsPerSecond;
  }

  /** A key found by a single lookup joins the snapshot until the next reload. */
  add(entry: DirectoryEntry): void {
    this.byHash.set(entry.hash, entry);
    this.byId.set(entry.identity.id, entry);
  }

  /** Forget the snapshot: the next `ready()` reloads (after a local revoke or create). */
  invalidate(): void {
    this.loadedAt = undefined;
    this.failedAt = undefined;
  }

  private usable(e: DirectoryEntry | undefined): ApiKeyIdentity | undefined {
    if (!e || (e.expiresAt !== null && this.now() >= e.expiresAt)) return undefined;
    return e.identity;
  }

  private reload(): Promise<void> {
    this.loading ??= this.load()
      .then(
        (entries) => {
          this.byHash = new Map(entries.map((e) => [e.hash, e]));
          this.byId = new Map(entries.map((e) => [e.identity.id, e]));
          this.loadedAt = this.now();
          this.failedAt = undefined;
        },
        (err: Error) => {
          this.failedAt = this.now();
          this.lastError = err;
        },
      )
      .finally(() => (this.loading = undefined));
    return this.loading;
  }
}
