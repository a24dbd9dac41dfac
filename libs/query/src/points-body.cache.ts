/**
 * The written point list of a series (`p1,p2,…`), per series and statistics, kept with the point
 * objects it was written from. Points are shared between requests while their windows are
 * unchanged (SeriesService), so a list whose points are the same objects, in the same order, is
 * the same bytes: the hot hour asked again writes one buffer instead of one per point. Any changed
 * window gives a new point object, so a kept list is never stale. Bounded by bytes; the oldest
 * written goes first.
 */
export class PointsBodyCache<P extends object = object> {
  private readonly entries = new Map<string, { points: readonly P[]; body: Buffer }>();
  private bytes = 0;

  constructor(private readonly maxBytes: number) {}

  get(key: string, points: readonly P[], write: () => Buffer): Buffer {
    const e = this.entries.get(key);
    if (e && sameItems(e.points, points)) return e.body;
    const body = write();
    if (e) this.drop(key, e.body);
    // A list larger than a tenth of the budget would evict everything else: not worth keeping.
    if (body.length > this.maxBytes / 10) return body;
    this.entries.set(key, { points, body });
    this.bytes += body.length;
    for (const [k, old] of this.entries) {
      if (this.bytes <= this.maxBytes) break;
      this.drop(k, old.body);
    }
    return body;
  }

  get size(): number {
    return this.entries.size;
  }

  private drop(key: string, body: Buffer): void {
    this.entries.delete(key);
    this.bytes -= body.length;
  }
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
