/**
 * What the processor knows about the schema a framed value was written with. Schema ids are
 * immutable in a registry, so a found schema is cached for good; an id the registry does not know
 * is asked again after a while (a registry restored from backup may learn it).
 */
export type WriterSchema =
  | { kind: 'JSON'; id: number }
  | { kind: 'AVRO'; id: number; decode(payload: Buffer): unknown }
  | { kind: 'UNREADABLE'; id: number; why: string };

/** Where writer schemas come from: the registry, or a fixed set in unit tests. */
export interface SchemaSource {
  /**
   * The schema with this id, `undefined` when the registry answers that it has none. Throws
   * SchemaRegistryUnavailableError when no answer came, so the caller retries instead of judging.
   */
  lookUp(id: number): Promise<WriterSchema | undefined>;
}

/** No answer from the registry: the record is fine, its schema just cannot be fetched yet. */
export class SchemaRegistryUnavailableError extends Error {
  readonly retriable = true;
  constructor(
    message: string,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'SchemaRegistryUnavailableError';
  }
}
