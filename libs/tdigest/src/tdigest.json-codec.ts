import { TDigestDecodeError } from './tdigest.errors';
import { assertValidState, type DigestState } from './tdigest.state';

export const JSON_FORMAT = 'streammetrics.tdigest';
export const JSON_VERSION = 1;

/** Non-finite numbers (empty min/max, an overflowed sum) are spelled as strings; JSON has no NaN. */
type JsonNumber = number | 'NaN' | 'Infinity' | '-Infinity';

export interface DigestJson {
  format: typeof JSON_FORMAT;
  version: typeof JSON_VERSION;
  compression: number;
  count: number;
  sum: JsonNumber;
  min: JsonNumber;
  max: JsonNumber;
  means: number[];
  weights: number[];
}

export function digestToJson(s: DigestState): DigestJson {
  return {
    format: JSON_FORMAT,
    version: JSON_VERSION,
    compression: s.compression,
    count: s.count,
    sum: toJsonNumber(s.sum),
    min: toJsonNumber(s.min),
    max: toJsonNumber(s.max),
    means: Array.from(s.means),
    weights: Array.from(s.weights),
  };
}

export function digestFromJson(o: unknown): DigestState {
  if (typeof o !== 'object' || o === null || Array.isArray(o))
    throw new TDigestDecodeError('JSON: not an object');
  const j = o as Record<string, unknown>;
  if (j.format !== JSON_FORMAT) throw new TDigestDecodeError(`JSON: format is not "${JSON_FORMAT}"`);
  if (j.version !== JSON_VERSION)
    throw new TDigestDecodeError(`JSON: unsupported version ${String(j.version)}`);
  const state: DigestState = {
    compression: number(j.compression, 'compression'),
    count: number(j.count, 'count'),
    sum: fromJsonNumber(j.sum, 'sum'),
    min: fromJsonNumber(j.min, 'min'),
    max: fromJsonNumber(j.max, 'max'),
    means: numbers(j.means, 'means'),
    weights: numbers(j.weights, 'weights'),
  };
  assertValidState(state);
  return state;
}

function toJsonNumber(x: number): JsonNumber {
  return Number.isFinite(x) ? x : (String(x) as JsonNumber);
}

function fromJsonNumber(x: unknown, field: string): number {
  if (x === 'NaN' || x === 'Infinity' || x === '-Infinity') return Number(x);
  return number(x, field);
}

function number(x: unknown, field: string): number {
  if (typeof x !== 'number' || !Number.isFinite(x))
    throw new TDigestDecodeError(`JSON: ${field} is not a number`);
  return x;
}

function numbers(x: unknown, field: string): Float64Array {
  if (!Array.isArray(x)) throw new TDigestDecodeError(`JSON: ${field} is not an array`);
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = number(x[i], `${field}[${i}]`);
  return out;
}
