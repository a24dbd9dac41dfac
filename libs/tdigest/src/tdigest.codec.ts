import { crc32 } from './crc32';
import { TDigestDecodeError } from './tdigest.errors';
import { assertValidState, type DigestState } from './tdigest.state';

/*
 * Binary layout, version 1, little-endian:
 *   'T' 'D' | version u8 | flags u8 | compression f64 | count f64 | sum f64 | min f64 | max f64
 *   | centroid count varint | means (f32, or f64 with MEANS_F64) | weights (varint, or f64 with
 *   WEIGHTS_F64) | CRC-32 of everything before it, u32
 * Summary statistics stay float64 so count, sum, min and max survive exactly; only the centroid means
 * (which are estimates anyway) are narrowed. The CRC makes a flipped bit a decode error instead of a
 * silently wrong percentile.
 */
const MAGIC_0 = 0x54;
const MAGIC_1 = 0x44;
export const CODEC_VERSION = 1;
const MEANS_F64 = 1;
const WEIGHTS_F64 = 2;
const KNOWN_FLAGS = MEANS_F64 | WEIGHTS_F64;
const HEADER_BYTES = 44;
const CRC_BYTES = 4;
const MAX_VARINT_BYTES = 8;
/** Narrowing to float32 is refused when the data's spread is this small relative to its magnitude. */
const F32_MIN_RELATIVE_SPREAD = 2 ** -8;

export function encodeDigest(s: DigestState): Uint8Array {
  const n = s.means.length;
  const meansF64 = needsF64Means(s);
  const weightsF64 = needsF64Weights(s.weights);
  const flags = (meansF64 ? MEANS_F64 : 0) | (weightsF64 ? WEIGHTS_F64 : 0);
  // Sized exactly (varint lengths counted first): this runs for every changed slice at every
  // commit and for every aggregate record, so no over-allocation and trimming copy.
  let size = HEADER_BYTES + varintLength(n) + n * (meansF64 ? 8 : 4) + CRC_BYTES;
  if (weightsF64) size += n * 8;
  else for (let i = 0; i < n; i++) size += varintLength(s.weights[i]!);
  const bytes = new Uint8Array(size);
  const view = new DataView(bytes.buffer);
  bytes[0] = MAGIC_0;
  bytes[1] = MAGIC_1;
  bytes[2] = CODEC_VERSION;
  bytes[3] = flags;
  view.setFloat64(4, s.compression, true);
  view.setFloat64(12, s.count, true);
  view.setFloat64(20, s.sum, true);
  view.setFloat64(28, s.min, true);
  view.setFloat64(36, s.max, true);
  let pos = writeVarint(bytes, HEADER_BYTES, n);
  if (meansF64) {
    for (let i = 0; i < n; i++, pos += 8) view.setFloat64(pos, s.means[i]!, true);
  } else {
    for (let i = 0; i < n; i++, pos += 4) view.setFloat32(pos, s.means[i]!, true);
  }
  if (weightsF64) {
    for (let i = 0; i < n; i++, pos += 8) view.setFloat64(pos, s.weights[i]!, true);
  } else {
    for (let i = 0; i < n; i++) pos = writeVarint(bytes, pos, s.weights[i]!);
  }
  view.setUint32(pos, crc32(bytes, 0, pos), true);
  return bytes;
}

export function decodeDigest(bytes: Uint8Array): DigestState {
  if (!(bytes instanceof Uint8Array)) throw new TDigestDecodeError('expected a Uint8Array');
  if (bytes.length < HEADER_BYTES + 1 + CRC_BYTES) {
    throw new TDigestDecodeError(`truncated: ${bytes.length} bytes is shorter than any digest`);
  }
  if (bytes[0] !== MAGIC_0 || bytes[1] !== MAGIC_1) throw new TDigestDecodeError('bad magic, not a t-digest');
  if (bytes[2] !== CODEC_VERSION) throw new TDigestDecodeError(`unsupported version ${bytes[2]}`);
  const flags = bytes[3]!;
  if (flags & ~KNOWN_FLAGS) throw new TDigestDecodeError(`unknown flags 0x${flags.toString(16)}`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = bytes.length - CRC_BYTES;
  if (view.getUint32(end, true) !== crc32(bytes, 0, end)) {
    throw new TDigestDecodeError('checksum mismatch: corrupt or truncated');
  }
  const reader = { pos: HEADER_BYTES };
  const n = readVarint(bytes, reader, end);
  const meanBytes = flags & MEANS_F64 ? 8 : 4;
  if (n > (end - reader.pos) / (meanBytes + 1))
    throw new TDigestDecodeError(`centroid count ${n} exceeds data`);
  const state: DigestState = {
    compression: view.getFloat64(4, true),
    count: view.getFloat64(12, true),
    sum: view.getFloat64(20, true),
    min: view.getFloat64(28, true),
    max: view.getFloat64(36, true),
    means: new Float64Array(n),
    weights: new Float64Array(n),
  };
  for (let i = 0; i < n; i++) {
    const m = flags & MEANS_F64 ? view.getFloat64(reader.pos, true) : view.getFloat32(reader.pos, true);
    // float32 rounding may step just past the exact extremes; they are the true bounds.
    state.means[i] = Math.min(Math.max(m, state.min), state.max);
    reader.pos += meanBytes;
  }
  for (let i = 0; i < n; i++) {
    if (flags & WEIGHTS_F64) {
      if (reader.pos + 8 > end) throw new TDigestDecodeError('truncated weights');
      state.weights[i] = view.getFloat64(reader.pos, true);
      reader.pos += 8;
    } else {
      state.weights[i] = readVarint(bytes, reader, end);
    }
  }
  if (reader.pos !== end) throw new TDigestDecodeError(`${end - reader.pos} unexpected trailing bytes`);
  assertValidState(state);
  return state;
}

function needsF64Means(s: DigestState): boolean {
  if (s.means.length === 0) return false;
  const magnitude = Math.max(Math.abs(s.min), Math.abs(s.max));
  if (!Number.isFinite(Math.fround(magnitude))) return true;
  // Data such as epoch timestamps varies in digits float32 does not have.
  return s.max - s.min < magnitude * F32_MIN_RELATIVE_SPREAD;
}

function needsF64Weights(weights: Float64Array): boolean {
  for (let i = 0; i < weights.length; i++) if (!Number.isSafeInteger(weights[i])) return true;
  return false;
}

function varintLength(value: number): number {
  let len = 1;
  for (let v = value; v >= 0x80; v = Math.floor(v / 0x80)) len++;
  return len;
}

/** LEB128 with arithmetic instead of bit operators, so weights up to 2^53 survive. */
function writeVarint(bytes: Uint8Array, pos: number, value: number): number {
  let v = value;
  while (v >= 0x80) {
    bytes[pos++] = (v % 0x80) | 0x80;
    v = Math.floor(v / 0x80);
  }
  bytes[pos++] = v;
  return pos;
}

function readVarint(bytes: Uint8Array, reader: { pos: number }, end: number): number {
  let value = 0;
  let scale = 1;
  for (let i = 0; i < MAX_VARINT_BYTES; i++) {
    if (reader.pos >= end) throw new TDigestDecodeError('truncated varint');
    const b = bytes[reader.pos++]!;
    value += (b & 0x7f) * scale;
    if ((b & 0x80) === 0) {
      // A trailing zero group is an overlong encoding; canonical bytes keep encode(decode(x)) === x.
      if (b === 0 && i > 0) throw new TDigestDecodeError('non-canonical varint');
      if (!Number.isSafeInteger(value)) throw new TDigestDecodeError('varint exceeds 2^53');
      return value;
    }
    scale *= 0x80;
  }
  throw new TDigestDecodeError('varint too long');
}
