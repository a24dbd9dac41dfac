export * from './ccompat.client';
export * from './confluent.frame';
export * from './event-schema.registrar';
export * from './event.decoder';
export * from './registry.schema-source';
export * from './schema-registration.error';
export * from './writer-schema';
export * from './metric-event.avro';
