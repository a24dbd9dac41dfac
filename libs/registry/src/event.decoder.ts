import {
  decodeMetricEvent,
  undecodable,
  validateMetricEvent,
  type DecodeResult,
} from '@streammetrics/contracts';
import { isConfluentFramed, readConfluentFrame } from './confluent.frame';
import type { SchemaSource, WriterSchema } from './writer-schema';

/** How long an id the registry did not know stays unknown before it is asked again. */
const UNKNOWN_ID_TTL_MS = 60_000;

/**
 * Turns a record value into a metric event, whatever a stock producer wrote: plain JSON, or the
 * Confluent wire format with a JSON Schema or Avro payload. Two steps, so the per-record path stays
 * synchronous: `prepare` fetches the writer schemas a batch needs that are not cached yet (the only
 * I/O, and the only step that can fail for a reason other than the record), then `decode` reads
 * each record from the cache.
 */
export class EventDecoder {
  private readonly schemas = new Map<number, WriterSchema>();
  private readonly unknown = new Map<number, number>();
  /** Lookups under way: the partitions' batches often name the same new id at the same moment. */
  private readonly inflight = new Map<number, Promise<void>>();

  constructor(
    private readonly source: SchemaSource,
    private readonly now: () => number = Date.now,
  ) {}

  /** Fetches the schemas of `values` not cached yet. Throws SchemaRegistryUnavailableError. */
  async prepare(values: Iterable<Buffer | null>): Promise<void> {
    const missing = new Set<number>();
    const now = this.now();
    for (const v of values) {
      if (!isConfluentFramed(v)) continue;
      const id = readConfluentFrame(v)?.schemaId;
      if (id === undefined || this.schemas.has(id) || missing.has(id)) continue;
      const askedAt = this.unknown.get(id);
      if (askedAt !== undefined && now - askedAt < UNKNOWN_ID_TTL_MS) continue;
      missing.add(id);
    }
    for (const id of missing) await this.lookUp(id, now);
  }

  private lookUp(id: number, now: number): Promise<void> {
    let pending = this.inflight.get(id);
    if (!pending) {
      pending = this.source
        .lookUp(id)
        .then((schema) => {
          if (schema) {
            this.schemas.set(id, schema);
            this.unknown.delete(id);
          } else {
            this.unknown.set(id, now);
          }
        })
        .finally(() => this.inflight.delete(id));
      this.inflight.set(id, pending);
    }
    return pending;
  }

  /** Decodes and validates one value; a framed one needs `prepare` to have seen it. */
  decode(value: Buffer | null): DecodeResult {
    if (!isConfluentFramed(value)) return decodeMetricEvent(value);
    const frame = readConfluentFrame(value);
    if (!frame)
      return undecodable(`a Confluent-framed value needs 5 header bytes, this one has ${value.length}`);
    const schema = this.schemas.get(frame.schemaId);
    if (!schema) {
      const why = this.unknown.has(frame.schemaId)
        ? `schema id ${frame.schemaId} is not in the schema registry`
        : `schema id ${frame.schemaId} was not looked up`;
      return undecodable(why, 'UNKNOWN_SCHEMA');
    }
    switch (schema.kind) {
      case 'JSON':
        return decodeMetricEvent(frame.payload);
      case 'AVRO':
        return decodeAvro(schema, frame.payload);
      case 'UNREADABLE':
        return undecodable(schema.why, 'UNKNOWN_SCHEMA');
    }
  }
}

function decodeAvro(schema: Extract<WriterSchema, { kind: 'AVRO' }>, payload: Buffer): DecodeResult {
  let record: unknown;
  try {
    record = schema.decode(payload);
  } catch (err) {
    return undecodable(`Avro payload does not decode with schema id ${schema.id}: ${(err as Error).message}`);
  }
  return validateMetricEvent(withoutNulls(record));
}

/**
 * An Avro record as the event's JSON shape: an optional Avro field is a union with null, and its
 * null means "absent" (the event schema has no nullable fields). The copy is a plain object, which
 * is also what validation and the window state expect rather than avsc's record class.
 */
function withoutNulls(record: unknown): unknown {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) return record;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(record)) {
    if (v !== null) out[k] = v;
  }
  return out;
}
