/**
 * The keyed hashes of keys that verified recently, so a busy key is not hashed (SHA-256, then the
 * HMAC) on every request. Only the hash is remembered, never a verdict: whether that hash is
 * active is still asked of the key table on every request, so revocation and expiry are exactly
 * as prompt as without the memo. Only keys that verified are remembered (a flood of random keys
 * cannot fill it), each for `ttlMs` after it was hashed, at most `maxEntries` (the oldest go first),
 * so a key's secret is not kept in memory long after its last use.
 */
export class ApiKeyHashMemo {
  private readonly entries = new Map<string, { hash: string; at: number }>();

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
    private readonly now: () => number,
  ) {}

  get(key: string): string | undefined {
    const e = this.entries.get(key);
    if (e === undefined) return undefined;
    if (this.now() - e.at < this.ttlMs) return e.hash;
    this.entries.delete(key);
    return undefined;
  }

  /** Remembers the hash of a key that just verified (a no-op while it is remembered already). */
  remember(key: string, hash: string): void {
    if (this.entries.has(key)) return;
    this.entries.set(key, { hash, at: this.now() });
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
  }

  forget(key: string): void {
    this.entries.delete(key);
  }

  get size(): number {
    return this.entries.size;
  }
}
