import type { StoredWindow } from './series.point';

interface Entry {
  at: number;
  windows: readonly StoredWindow[];
}

/**
 * Recent reads of settled cold windows, for a few seconds. The default series (the last hour)
 * always reaches a few minutes behind the seam, so without this every "hot" request also queried
 * PostgreSQL for the same handful of windows that closed long ago. Only reads whose windows had
 * closed well before are kept (the caller decides), and only briefly, so a late write (a sink
 * catching up after an outage) shows within `ttlMs`. Bounded by the number of windows held; the
 * windows are shared between requests and read-only.
 */
export class ColdWindowCache {
  private readonly entries = new Map<string, Entry>();
  private held = 0;

  constructor(
    private readonly maxWindows: number,
    private readonly ttlMs: number,
  ) {}

  get(key: string, now: number): readonly StoredWindow[] | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    if (now - e.at > this.ttlMs) {
      this.drop(key, e);
      return undefined;
    }
    return e.windows;
  }

  set(key: string, windows: readonly StoredWindow[], now: number): void {
    // One read larger than a tenth of the budget would flush everything else: not worth keeping.
    if (windows.length > this.maxWindows / 10) return;
    const old = this.entries.get(key);
    if (old) this.drop(key, old);
    this.entries.set(key, { at: now, windows });
    this.held += windows.length;
    // Insertion order is age order: evict the oldest until within budget.
    for (const [k, e] of this.entries) {
      if (this.held <= this.maxWindows && now - e.at <= this.ttlMs) break;
      this.drop(k, e);
    }
  }

  private drop(key: string, e: Entry): void {
    this.entries.delete(key);
    this.held -= e.windows.length;
  }
}
