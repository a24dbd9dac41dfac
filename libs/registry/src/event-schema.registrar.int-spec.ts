import { metricEventSchema } from '@streammetrics/contracts';
import { freePort, testEnv, uniqueName } from '@streammetrics/testing';
import { ccompatRequest, getCompatibility, lookUpVersion } from './ccompat.client';
import { EVENT_SCHEMA_SUBJECT, registerEventSchema, registerJsonSchema } from './event-schema.registrar';
import { SchemaRegistrationError } from './schema-registration.error';

type Schema = { properties: Record<string, unknown>; required: string[] } & Record<string, unknown>;

/** The event schema with a change applied, as a later version of it would be. */
function evolved(change: (s: Schema) => void): Schema {
  const s = structuredClone(metricEventSchema) as unknown as Schema;
  change(s);
  return s;
}

async function refusal(
  registryUrl: string,
  subject: string,
  schema: object,
): Promise<SchemaRegistrationError> {
  const err = await registerJsonSchema(registryUrl, subject, schema).then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!(err instanceof SchemaRegistrationError)) throw new Error(`expected a refusal, got ${String(err)}`);
  return err;
}

describe('registerEventSchema (real schema registry)', () => {
  let url: string;
  beforeAll(() => {
    const given = testEnv().schemaRegistryUrl;
    if (!given) throw new Error('SCHEMA_REGISTRY_URL is not set: the test stack provides no schema registry');
    url = given;
  });

  it('finds the event schema the stack registered under metrics-events-value', async () => {
    const found = await lookUpVersion(url, EVENT_SCHEMA_SUBJECT, 'JSON', JSON.stringify(metricEventSchema));
    expect(found?.id).toEqual(expect.any(Number));
  });

  it('registers v1 once: the same schema again gives the same id and no new version', async () => {
    const subject = uniqueName('events-value');
    const first = await registerEventSchema(url, subject);
    const again = await registerEventSchema(url, subject);
    expect(first).toEqual({ id: expect.any(Number), version: 1 });
    expect(again).toEqual(first);
    expect(await ccompatRequest(url, 'GET', `/subjects/${subject}/versions`)).toEqual([1]);
    expect(await getCompatibility(url, subject)).toBe('BACKWARD');
  });

  it('takes over a subject that was registered without a compatibility level of its own', async () => {
    const subject = uniqueName('events-value');
    const text = JSON.stringify(metricEventSchema);
    const raw = await ccompatRequest<{ id: number }>(url, 'POST', `/subjects/${subject}/versions`, {
      schemaType: 'JSON',
      schema: text,
    });
    expect(await registerEventSchema(url, subject)).toEqual({ id: raw.id, version: 1 });
    expect(await getCompatibility(url, subject)).toBe('BACKWARD');
  });

  describe('schema evolution under BACKWARD', () => {
    it('accepts a v2 with an added optional property as a new version, and v1 keeps its id', async () => {
      const subject = uniqueName('events-value');
      const v1 = await registerEventSchema(url, subject);
      const v2 = await registerJsonSchema(
        url,
        subject,
        evolved((s) => (s.properties.region = { type: 'string', maxLength: 64 })),
      );
      expect(v2.version).toBe(2);
      expect(v2.id).not.toBe(v1.id);
      expect(await registerEventSchema(url, subject)).toEqual(v1);
    });

    it.each([
      {
        change: 'a new required property',
        schema: () =>
          evolved((s) => {
            s.properties.region = { type: 'string' };
            s.required = [...s.required, 'region'];
          }),
        diff: 'OBJECT_TYPE_REQUIRED_PROPERTIES_MEMBER_ADDED',
      },
      {
        change: 'value as a string instead of a number',
        schema: () => evolved((s) => (s.properties.value = { type: 'string' })),
        diff: 'SUBSCHEMA_TYPE_CHANGED',
      },
      {
        change: 'a removed property (the content model is closed)',
        schema: () => evolved((s) => delete s.properties.unit),
        diff: 'OBJECT_TYPE_PROPERTY_SCHEMAS_NARROWED',
      },
    ])('refuses $change and says why', async ({ schema, diff }) => {
      const subject = uniqueName('events-value');
      await registerEventSchema(url, subject);
      const err = await refusal(url, subject, schema());
      expect(err).toMatchObject({ subject, failure: 'incompatible', retriable: false, status: 409 });
      expect(err.message).toContain(`subject "${subject}"`);
      expect(err.message).toContain('incompatible with the existing version(s) under BACKWARD');
      // The registry's own words, with the difference it found.
      expect(err.message).toContain(diff);
      expect(await ccompatRequest(url, 'GET', `/subjects/${subject}/versions`)).toEqual([1]);
    });
  });

  it('reports a registry that is not there as retriable', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}/apis/ccompat/v7`;
    const err = await refusal(nowhere, uniqueName('events-value'), metricEventSchema);
    expect(err).toMatchObject({ failure: 'unavailable', retriable: true });
    expect(err.message).toContain('ECONNREFUSED');
  });
});
