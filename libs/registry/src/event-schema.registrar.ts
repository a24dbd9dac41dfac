import { COMPATIBILITY, SchemaRegistry, SchemaType } from '@kafkajs/confluent-schema-registry';
import { EVENTS_TOPIC, metricEventSchema } from '@streammetrics/contracts';
import { lookUpVersion, putCompatibility } from './ccompat.client';
import { explainRegistrationFailure, REGISTRY_CLIENT_ID } from './schema-registration.error';

/** Where producers using Confluent's serializers look the event schema up (TopicNameStrategy). */
export const EVENT_SCHEMA_SUBJECT = `${EVENTS_TOPIC}-value`;

export interface RegisteredSchema {
  id: number;
  version?: number;
}

/**
 * The client library compiles every schema with Ajv before sending it: a strict Ajv refuses
 * `format: date-time` (it loads no formats) and logs warnings about our union types. The registry,
 * not Ajv, judges the schema here: formats are not checked, and nothing is logged.
 */
const AJV_OPTIONS = { strict: false, validateFormats: false };

/**
 * Registers `schema` as a JSON Schema under `subject` with BACKWARD compatibility, so a consumer
 * on the new version still reads every event the previous one allowed. The same schema again gives
 * the same id and no new version. The subject's level is set before registering rather than after
 * (as the client library does on a first registration): Apicurio reports NONE for a subject without
 * its own level, and the library then refuses to register at all.
 */
export async function registerJsonSchema(
  registryUrl: string,
  subject: string,
  schema: object,
): Promise<RegisteredSchema> {
  const host = registryUrl.replace(/\/+$/, '');
  // One canonical text: a registry that hashes the text, not its meaning, sees the same schema.
  const text = JSON.stringify(schema);
  try {
    await putCompatibility(host, COMPATIBILITY.BACKWARD, subject);
    const registry = new SchemaRegistry(
      { host, clientId: REGISTRY_CLIENT_ID },
      { [SchemaType.JSON]: AJV_OPTIONS },
    );
    const { id } = await registry.register(
      { type: SchemaType.JSON, schema: text },
      { subject, compatibility: COMPATIBILITY.BACKWARD },
    );
    const found = await lookUpVersion(host, subject, 'JSON', text);
    return { id, version: found?.version };
  } catch (err) {
    throw explainRegistrationFailure(err, subject, COMPATIBILITY.BACKWARD);
  }
}

/** Registers the metric event schema (libs/contracts) under `subject`; idempotent. */
export function registerEventSchema(
  registryUrl: string,
  subject = EVENT_SCHEMA_SUBJECT,
): Promise<RegisteredSchema> {
  return registerJsonSchema(registryUrl, subject, metricEventSchema);
}
