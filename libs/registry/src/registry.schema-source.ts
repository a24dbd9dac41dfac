import { Type } from 'avsc';
import { ccompatRequest, CcompatHttpError } from './ccompat.client';
import { errorText } from './schema-registration.error';
import { SchemaRegistryUnavailableError, type SchemaSource, type WriterSchema } from './writer-schema';

interface SchemaById {
  schema: string;
  /** Absent for Avro: the registry API predates the other types. */
  schemaType?: string;
  references?: unknown[];
}

/** A lookup answers quickly or not at all: the caller's backoff, not a long wait, handles outages. */
const LOOKUP_TIMEOUT_MS = 3_000;

/**
 * Writer schemas from a Confluent-compatible registry (`GET /schemas/ids/{id}`). JSON Schema
 * values are validated with the event's own schema, whatever the writer registered, so only
 * Avro schemas are compiled here (with avsc, the library the registry client itself uses).
 */
export class RegistrySchemaSource implements SchemaSource {
  constructor(private readonly registryUrl: string) {}

  async lookUp(id: number): Promise<WriterSchema | undefined> {
    let found: SchemaById;
    try {
      found = await ccompatRequest<SchemaById>(
        this.registryUrl,
        'GET',
        `/schemas/ids/${id}`,
        undefined,
        LOOKUP_TIMEOUT_MS,
      );
    } catch (err) {
      if (err instanceof CcompatHttpError && err.status === 404) return undefined;
      // Any other outcome says nothing about the record: refused connections, timeouts, 5xx, and
      // also 401/403, which a fixed credential cures. Dead-lettering would lose good records.
      throw new SchemaRegistryUnavailableError(
        `cannot look up schema id ${id} at ${this.registryUrl}: ${errorText(err)}`,
        err,
      );
    }
    return compileWriterSchema(id, found);
  }
}

export function compileWriterSchema(id: number, found: SchemaById): WriterSchema {
  const type = found.schemaType ?? 'AVRO';
  if (type === 'JSON') return { kind: 'JSON', id };
  if (type !== 'AVRO') {
    return { kind: 'UNREADABLE', id, why: `schema id ${id} is ${type}; only JSON Schema and Avro are read` };
  }
  if (found.references && found.references.length > 0) {
    return { kind: 'UNREADABLE', id, why: `Avro schema id ${id} has references, which are not read` };
  }
  try {
    const avro = Type.forSchema(JSON.parse(found.schema) as Parameters<typeof Type.forSchema>[0]);
    return { kind: 'AVRO', id, decode: (payload) => avro.fromBuffer(payload) as unknown };
  } catch (err) {
    return {
      kind: 'UNREADABLE',
      id,
      why: `Avro schema id ${id} does not compile: ${(err as Error).message}`,
    };
  }
}
