import { statsOf, type AggregateRecord } from '@streammetrics/contracts';
import type { StoredWindow } from './series.point';

interface Entry {
  /** A copy: the member handed in may be a view of a larger network buffer. */
  member: Buffer;
  window: StoredWindow;
  /** The record's base64 digest, decoded into `withDigest` on the first read that wants it. */
  digest: string | undefined;
  withDigest?: StoredWindow;
}

/**
 * Hot-tier history members (JSON AggregateRecords) already parsed. An unchanged hour is parsed
 * once instead of on every request; the digest bytes are decoded only for reads that merge
 * digests. An entry sits in a slot (history key and score, short and cheap to hash) and holds the
 * member it was parsed from: a member that is not exactly that string (a newer version of the
 * window) is parsed afresh, so a cached parse is never stale. Comparing two strings costs far less
 * than JSON.parse of a member with its ~1 KB digest, or hashing it. Bounded; eviction is by
 * insertion order (members expire within the hour).
 *
 * The windows handed out are shared between requests: callers must treat them as read-only.
 */
export class HotWindowCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly maxEntries: number) {}

  get size(): number {
    return this.entries.size;
  }

  /** `slot`: where the member lives (history key and score). */
  window(slot: string, member: Buffer, withDigest: boolean): StoredWindow {
    let e = this.entries.get(slot);
    if (e === undefined || !e.member.equals(member)) {
      e = this.parse(Buffer.from(member));
      this.entries.delete(slot);
      this.entries.set(slot, e);
      if (this.entries.size > this.maxEntries)
        this.entries.delete(this.entries.keys().next().value as string);
    }
    if (!withDigest) return e.window;
    e.withDigest ??= { ...e.window, digest: e.digest ? base64Bytes(e.digest) : null };
    return e.withDigest;
  }

  private parse(member: Buffer): Entry {
    const r = JSON.parse(member.toString('utf8')) as AggregateRecord;
    return {
      member,
      window: {
        start: r.window.start,
        end: r.window.end,
        tags: r.tags ?? {},
        ...statsOf(r),
        final: r.final,
        streamTime: r.streamTime,
        digest: null,
        tier: 'hot',
      },
      digest: r.digest || undefined,
    };
  }
}

function base64Bytes(s: string): Uint8Array {
  const b = Buffer.from(s, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
