import { Type } from 'avsc';
import type { MetricEvent } from '@streammetrics/contracts';
import { writeConfluentFrame } from './confluent.frame';
import { EventDecoder } from './event.decoder';
import { metricEventAvroSchema } from './metric-event.avro';
import { compileWriterSchema } from './registry.schema-source';
import { SchemaRegistryUnavailableError, type SchemaSource, type WriterSchema } from './writer-schema';

const JSON_ID = 7;
const AVRO_ID = 8;
const PROTO_ID = 9;
const avro = Type.forSchema(metricEventAvroSchema as unknown as Parameters<typeof Type.forSchema>[0]);

const event: MetricEvent = {
  eventId: 'e-1',
  timestamp: 1707267600000,
  serviceId: 'payment-service',
  metricName: 'api.request.duration',
  value: 245.5,
  unit: 'milliseconds',
  tags: { endpoint: '/api/v1/payments' },
};
const json = (e: object) => Buffer.from(JSON.stringify(e));
const avroBytes = (e: MetricEvent) =>
  avro.toBuffer({ instanceId: null, metricType: null, metadata: null, unit: null, ...e });

/** A registry of three schemas that counts its lookups and can be switched off. */
class FakeSource implements SchemaSource {
  lookups: number[] = [];
  down = false;
  readonly known = new Map<number, WriterSchema>([
    [JSON_ID, compileWriterSchema(JSON_ID, { schemaType: 'JSON', schema: '{}' })],
    [AVRO_ID, compileWriterSchema(AVRO_ID, { schema: JSON.stringify(metricEventAvroSchema) })],
    [PROTO_ID, compileWriterSchema(PROTO_ID, { schemaType: 'PROTOBUF', schema: 'syntax = "proto3";' })],
  ]);

  lookUp(id: number): Promise<WriterSchema | undefined> {
    this.lookups.push(id);
    if (this.down) return Promise.reject(new SchemaRegistryUnavailableError('connect ECONNREFUSED'));
    return Promise.resolve(this.known.get(id));
  }
}

describe('EventDecoder', () => {
  let source: FakeSource;
  let now: number;
  let decoder: EventDecoder;
  beforeEach(() => {
    source = new FakeSource();
    now = 0;
    decoder = new EventDecoder(source, () => now);
  });

  it('reads plain JSON without asking the registry', async () => {
    await decoder.prepare([json(event)]);
    expect(decoder.decode(json(event))).toEqual({ ok: true, event });
    expect(source.lookups).toEqual([]);
  });

  it('reads framed JSON Schema and Avro values to the same event, one lookup per id', async () => {
    const values = [
      writeConfluentFrame(JSON_ID, json(event)),
      writeConfluentFrame(AVRO_ID, avroBytes(event)),
      writeConfluentFrame(JSON_ID, json(event)),
    ];
    await decoder.prepare(values);
    await decoder.prepare(values);
    expect(values.map((v) => decoder.decode(v))).toEqual([
      { ok: true, event },
      { ok: true, event },
      { ok: true, event },
    ]);
    expect(source.lookups).toEqual([JSON_ID, AVRO_ID]);
  });

  it('validates framed values with the event schema, whatever the writer registered', async () => {
    const bad = writeConfluentFrame(JSON_ID, json({ ...event, value: 'fast' }));
    const avroBad = writeConfluentFrame(AVRO_ID, avroBytes({ ...event, serviceId: 'bad service id' }));
    await decoder.prepare([bad, avroBad]);
    expect(decoder.decode(bad)).toMatchObject({ ok: false, reason: 'SCHEMA_VIOLATION' });
    expect(decoder.decode(avroBad)).toMatchObject({
      ok: false,
      reason: 'SCHEMA_VIOLATION',
      problems: [expect.objectContaining({ field: '/serviceId' })],
    });
  });

  it('dead-letters an unknown id as UNKNOWN_SCHEMA and asks again only after a minute', async () => {
    const value = writeConfluentFrame(404, json(event));
    await decoder.prepare([value]);
    expect(decoder.decode(value)).toEqual({
      ok: false,
      reason: 'UNKNOWN_SCHEMA',
      problems: [{ index: 0, field: '', message: 'schema id 404 is not in the schema registry' }],
    });
    now = 59_999;
    await decoder.prepare([value]);
    expect(source.lookups).toEqual([404]);
    now = 60_000;
    source.known.set(404, { kind: 'JSON', id: 404 });
    await decoder.prepare([value]);
    expect(source.lookups).toEqual([404, 404]);
    expect(decoder.decode(value)).toEqual({ ok: true, event });
  });

  it('says why a schema it cannot read is unusable (Protobuf)', async () => {
    const value = writeConfluentFrame(PROTO_ID, Buffer.from([1, 2, 3]));
    await decoder.prepare([value]);
    expect(decoder.decode(value)).toMatchObject({
      ok: false,
      reason: 'UNKNOWN_SCHEMA',
      problems: [{ message: 'schema id 9 is PROTOBUF; only JSON Schema and Avro are read' }],
    });
  });

  it('calls an Avro payload that does not match its schema, or a cut frame, UNDECODABLE', async () => {
    const truncated = writeConfluentFrame(AVRO_ID, avroBytes(event).subarray(0, 10));
    const trailing = writeConfluentFrame(AVRO_ID, Buffer.concat([avroBytes(event), Buffer.from([0])]));
    const cut = Buffer.from([0, 0, 0]);
    await decoder.prepare([truncated, trailing, cut]);
    for (const v of [truncated, trailing]) {
      const r = decoder.decode(v);
      expect(r).toMatchObject({ ok: false, reason: 'UNDECODABLE' });
      expect(!r.ok && r.problems[0]?.message).toMatch(/^Avro payload does not decode with schema id 8: /);
    }
    expect(decoder.decode(cut)).toMatchObject({
      ok: false,
      reason: 'UNDECODABLE',
      problems: [{ message: 'a Confluent-framed value needs 5 header bytes, this one has 3' }],
    });
  });

  it('lets a registry outage through to the caller and judges nothing meanwhile', async () => {
    const value = writeConfluentFrame(JSON_ID, json(event));
    source.down = true;
    await expect(decoder.prepare([value])).rejects.toBeInstanceOf(SchemaRegistryUnavailableError);
    source.down = false;
    await decoder.prepare([value]);
    expect(decoder.decode(value)).toEqual({ ok: true, event });
  });

  it('asks once for an id that concurrent batches name together', async () => {
    const value = writeConfluentFrame(AVRO_ID, avroBytes(event));
    await Promise.all([decoder.prepare([value]), decoder.prepare([value]), decoder.prepare([value])]);
    expect(source.lookups).toEqual([AVRO_ID]);
  });
});
