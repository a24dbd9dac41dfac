import { SchemaRegistry } from '@kafkajs/confluent-schema-registry';
import { metricEventSchema, type MetricEvent } from '@streammetrics/contracts';
import { freePort, testEnv, uniqueName } from '@streammetrics/testing';
import { ccompatRequest } from './ccompat.client';
import { writeConfluentFrame } from './confluent.frame';
import { EventDecoder } from './event.decoder';
import { metricEventAvroSchema } from './metric-event.avro';
import { RegistrySchemaSource } from './registry.schema-source';
import { SchemaRegistryUnavailableError } from './writer-schema';

const event: MetricEvent = {
  eventId: 'e-42',
  timestamp: 1707267600000,
  serviceId: 'order-service',
  metricName: 'orders.created',
  value: 3,
  tags: { region: 'eu-west-1' },
};

async function registerRaw(url: string, schemaType: 'AVRO' | 'JSON', schema: object): Promise<number> {
  const subject = uniqueName('source-value');
  const r = await ccompatRequest<{ id: number }>(url, 'POST', `/subjects/${subject}/versions`, {
    schemaType,
    schema: JSON.stringify(schema),
  });
  return r.id;
}

describe('RegistrySchemaSource (real schema registry)', () => {
  let url: string;
  beforeAll(() => {
    const given = testEnv().schemaRegistryUrl;
    if (!given) throw new Error('SCHEMA_REGISTRY_URL is not set: the test stack provides no schema registry');
    url = given;
  });

  it("reads values framed by the Node registry client's own encoder, Avro and JSON Schema", async () => {
    const avroId = await registerRaw(url, 'AVRO', metricEventAvroSchema);
    const jsonId = await registerRaw(url, 'JSON', metricEventSchema);
    const client = new SchemaRegistry({ host: url });
    const avroValue = await client.encode(avroId, {
      ...event,
      instanceId: null,
      metricType: null,
      unit: null,
      metadata: null,
    });
    const decoder = new EventDecoder(new RegistrySchemaSource(url));
    const jsonValue = writeConfluentFrame(jsonId, Buffer.from(JSON.stringify(event)));
    await decoder.prepare([avroValue, jsonValue]);
    expect(decoder.decode(avroValue)).toEqual({ ok: true, event });
    expect(decoder.decode(jsonValue)).toEqual({ ok: true, event });
  });

  it('answers undefined for an id the registry does not hold', async () => {
    await expect(new RegistrySchemaSource(url).lookUp(2_000_000_000)).resolves.toBeUndefined();
  });

  it('reports a registry that is not there as unavailable, not as an unknown id', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}/apis/ccompat/v7`;
    const err = await new RegistrySchemaSource(nowhere).lookUp(1).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(SchemaRegistryUnavailableError);
    expect((err as Error).message).toMatch(
      /^cannot look up schema id 1 at http:\/\/127\.0\.0\.1:\d+.*ECONNREFUSED/,
    );
  });
});
