/**
 * The Confluent wire format: magic byte 0, the writer's schema id as a 4-byte big-endian integer,
 * then the payload the schema describes. A plain JSON value never starts with byte 0 (it starts
 * with `{`, or whitespace), so the first byte alone tells the two apart.
 */
export const CONFLUENT_MAGIC_BYTE = 0;
export const CONFLUENT_HEADER_BYTES = 5;

export interface ConfluentFrame {
  schemaId: number;
  payload: Buffer;
}

export function isConfluentFramed(value: Buffer | null): value is Buffer {
  return value !== null && value.length > 0 && value[0] === CONFLUENT_MAGIC_BYTE;
}

/** The schema id and payload of a framed value; undefined when it is too short to hold a header. */
export function readConfluentFrame(value: Buffer): ConfluentFrame | undefined {
  if (value.length < CONFLUENT_HEADER_BYTES) return undefined;
  return { schemaId: value.readUInt32BE(1), payload: value.subarray(CONFLUENT_HEADER_BYTES) };
}

export function writeConfluentFrame(schemaId: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(CONFLUENT_HEADER_BYTES + payload.length);
  out[0] = CONFLUENT_MAGIC_BYTE;
  out.writeUInt32BE(schemaId, 1);
  payload.copy(out, CONFLUENT_HEADER_BYTES);
  return out;
}
