import { SLICE_MS, tagsKey } from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';

/**
 * Changelog wire format, version 1 (compacted topic, one key per piece of state).
 *
 * Keys (text):
 *   `meta`                                               partition meta (stream time)
 *   `s|<serviceId>|<metricName>|<tagsKey>|<sliceStart>`  one slice of one series
 * serviceId and metricName cannot contain "|" (their schema pattern), tagsKey is the canonical
 * JSON of the tag set ("" for the rollup) and may, so it is whatever lies between them and the
 * last "|".
 *
 * Values (binary, little-endian): 2 magic bytes "SW", 1 version byte, 1 kind byte, then
 *   kind 1, slice: the slice's t-digest in the libs/tdigest binary form (which carries exact
 *                  count, sum, min and max in float64 and its own CRC) to the end
 *   kind 2, meta:  streamTime f64 (-Infinity before the first event)
 */
export const CHANGELOG_FORMAT_VERSION = 1;
export const META_KEY = 'meta';

const MAGIC_0 = 0x53; // 'S'
const MAGIC_1 = 0x57; // 'W'
const KIND_SLICE = 1;
const KIND_META = 2;
const HEADER = 4;
const META_LENGTH = HEADER + 8;
const NAME = /^[A-Za-z0-9._-]{1,200}$/;

/** State that cannot be decoded will not decode on a retry either. */
export class ChangelogDecodeError extends Error {
  readonly retriable = false;

  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`changelog entry ${JSON.stringify(key.slice(0, 200))}: ${reason}`);
    this.name = 'ChangelogDecodeError';
  }
}

export interface MetaValue {
  streamTime: number;
}

export type ChangelogKey =
  | { kind: 'meta' }
  | { kind: 'slice'; serviceId: string; metricName: string; tagsKey: string; sliceStart: number };

export function sliceChangelogPrefix(serviceId: string, metricName: string, tk: string): string {
  return `s|${serviceId}|${metricName}|${tk}|`;
}

export function sliceChangelogKey(serviceId: string, metricName: string, tk: string, start: number): string {
  return sliceChangelogPrefix(serviceId, metricName, tk) + start;
}

export function decodeChangelogKey(key: string): ChangelogKey {
  if (key === META_KEY) return { kind: 'meta' };
  if (!key.startsWith('s|')) throw new ChangelogDecodeError(key, 'unknown key kind');
  const a = key.indexOf('|', 2);
  const b = a < 0 ? -1 : key.indexOf('|', a + 1);
  const c = key.lastIndexOf('|');
  if (a < 0 || b < 0 || c <= b) throw new ChangelogDecodeError(key, 'malformed slice key');
  const serviceId = key.slice(2, a);
  const metricName = key.slice(a + 1, b);
  const tk = key.slice(b + 1, c);
  const startText = key.slice(c + 1);
  const sliceStart = Number(startText);
  if (!NAME.test(serviceId) || !NAME.test(metricName)) throw new ChangelogDecodeError(key, 'bad series name');
  if (
    String(sliceStart) !== startText ||
    !Number.isSafeInteger(sliceStart) ||
    sliceStart < 0 ||
    sliceStart % SLICE_MS !== 0
  ) {
    throw new ChangelogDecodeError(key, 'bad slice start');
  }
  if (tk !== '' && !isCanonicalTagsKey(tk))
    throw new ChangelogDecodeError(key, 'tags are not canonical JSON');
  return { kind: 'slice', serviceId, metricName, tagsKey: tk, sliceStart };
}

function isCanonicalTagsKey(tk: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(tk);
  } catch {
    return false;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return false;
  if (!Object.values(parsed).every((v) => typeof v === 'string')) return false;
  return tagsKey(parsed as Record<string, string>) === tk;
}

export function encodeSliceValue(digest: TDigest): Uint8Array {
  const bytes = digest.toBytes();
  const out = new Uint8Array(HEADER + bytes.length);
  writeHeader(out, KIND_SLICE);
  out.set(bytes, HEADER);
  return out;
}

export function decodeSliceValue(key: string, bytes: Uint8Array): TDigest {
  checkHeader(key, bytes, KIND_SLICE, HEADER + 1);
  let digest: TDigest;
  try {
    digest = TDigest.fromBytes(bytes.slice(HEADER));
  } catch (err) {
    throw new ChangelogDecodeError(key, `bad digest: ${(err as Error).message}`);
  }
  // A slice exists only once it holds a value; an empty one would poison min/max of its windows.
  if (!(digest.count >= 1)) throw new ChangelogDecodeError(key, 'empty slice digest');
  return digest;
}

export function encodeMetaValue(v: MetaValue): Uint8Array {
  const out = new Uint8Array(META_LENGTH);
  writeHeader(out, KIND_META);
  new DataView(out.buffer).setFloat64(HEADER, v.streamTime, true);
  return out;
}

export function decodeMetaValue(key: string, bytes: Uint8Array): MetaValue {
  const view = checkHeader(key, bytes, KIND_META, META_LENGTH);
  if (bytes.length !== META_LENGTH) throw new ChangelogDecodeError(key, `meta is ${bytes.length} bytes`);
  const streamTime = view.getFloat64(HEADER, true);
  if (!(Number.isSafeInteger(streamTime) || streamTime === -Infinity)) {
    throw new ChangelogDecodeError(key, `bad stream time ${streamTime}`);
  }
  return { streamTime };
}

function writeHeader(out: Uint8Array, kind: number): void {
  out[0] = MAGIC_0;
  out[1] = MAGIC_1;
  out[2] = CHANGELOG_FORMAT_VERSION;
  out[3] = kind;
}

function checkHeader(key: string, bytes: Uint8Array, kind: number, minLength: number): DataView {
  if (!(bytes instanceof Uint8Array)) throw new ChangelogDecodeError(key, 'value is not bytes');
  if (bytes.length < HEADER || bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1) {
    throw new ChangelogDecodeError(key, 'not a window-store value (bad magic)');
  }
  if (bytes[2] !== CHANGELOG_FORMAT_VERSION) {
    throw new ChangelogDecodeError(key, `unsupported format version ${bytes[2]}`);
  }
  if (bytes[3] !== kind) throw new ChangelogDecodeError(key, `value kind ${bytes[3]} does not match the key`);
  if (bytes.length < minLength) throw new ChangelogDecodeError(key, `truncated (${bytes.length} bytes)`);
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
