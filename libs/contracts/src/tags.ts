import { createHash } from 'node:crypto';

/** Tags with keys sorted: two events with the same tags in any order belong to the same series. */
export function canonicalTags(tags: Record<string, string> | undefined): Record<string, string> {
  if (!tags) return {};
  const keys = Object.keys(tags);
  if (keys.length === 0) return {};
  keys.sort();
  const out: Record<string, string> = {};
  for (const k of keys) out[k] = tags[k] as string;
  return out;
}

/** Stable text of a tag set, used in series keys; "" for the rollup. */
export function tagsKey(tags: Record<string, string> | undefined): string {
  const c = canonicalTags(tags);
  return Object.keys(c).length === 0 ? '' : JSON.stringify(c);
}

/** Tag sets remembered by tagsHash before the memo starts over (a bound, not a tuning knob). */
const HASH_MEMO_MAX = 50_000;
const hashMemo = new Map<string, string>();

/**
 * Short stable hash of a tag set: part of the PostgreSQL unique key and of Redis history keys.
 * The sink asks for it several times per record and series repeat, so the SHA-1 of each tag set's
 * text is remembered (it was ~7% of the sink's CPU).
 */
export function tagsHash(tags: Record<string, string> | undefined): string {
  const key = tagsKey(tags);
  let hash = hashMemo.get(key);
  if (hash === undefined) {
    hash = createHash('sha1').update(key).digest('hex').slice(0, 16);
    if (hashMemo.size >= HASH_MEMO_MAX) hashMemo.clear();
    hashMemo.set(key, hash);
  }
  return hash;
}
