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

/** Short stable hash of a tag set: part of the PostgreSQL unique key and of Redis history keys. */
export function tagsHash(tags: Record<string, string> | undefined): string {
  return createHash('sha1').update(tagsKey(tags)).digest('hex').slice(0, 16);
}
