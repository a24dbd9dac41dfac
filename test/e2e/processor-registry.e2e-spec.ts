import { Type } from 'avsc';
import type { Kafka } from 'kafkajs';
import { DLQ_HEADERS, topicSpecs, type MetricEvent } from '@streammetrics/contracts';
import { provisionTopics } from '@streammetrics/kafka';
import {
  ccompatRequest,
  metricEventAvroSchema,
  registerEventSchema,
  writeConfluentFrame,
} from '@streammetrics/registry';
import { freePort, readTopics, testEnv, testKafka, uniqueName } from '@streammetrics/testing';
import { steadyRecords, type GeneratedRecord } from './support-processor/event-generator';
import { finalsAgainst, readOutputs } from './support-processor/finals';
import { FLUSH_METRIC, flushMarkers } from './support-processor/flush-markers';
import {
  committedTotal,
  endOffsetsTotal,
  ProcessorProcess,
  sleep,
  testProcessorEnv,
  waitFor,
} from './support-processor/processor.process';
import { exactWindows } from './support-processor/window-oracle';
import { ToggleProxy } from './support-registry/toggle-proxy';

const PARTITIONS = 6;
const GRACE_MS = 10_000;
const UNKNOWN_ID = 2_000_000_000;
const BAD_EACH = 20;
const avro = Type.forSchema(metricEventAvroSchema as unknown as Parameters<typeof Type.forSchema>[0]);

const toAvro = (e: MetricEvent) =>
  avro.toBuffer({ instanceId: null, metricType: null, unit: null, metadata: null, ...e });

/**
 * Values as stock producers with Confluent serializers write them — a third plain JSON, a third
 * framed JSON Schema, a third framed Avro, on the same partitions — read by the real processor
 * through the real registry. The registry is reached through a relay the test switches off first:
 * the processor must hold the input (no dead letter, no progress, not ready), then read it all
 * exactly once the registry answers.
 */
describe('stream-processor: Confluent-framed values and the schema registry', () => {
  let kafka: Kafka;
  const prefix = `${uniqueName('registry')}.`;
  const groupId = uniqueName('registry-processors');
  const input = `${prefix}metrics-events`;
  let proxy: ToggleProxy;
  let processor: ProcessorProcess;
  let healthUrl: string;
  let valid: GeneratedRecord[];
  let unknownIdValues: Set<string>;
  let brokenAvroValues: Set<string>;

  beforeAll(async () => {
    const registry = new URL(testEnv().schemaRegistryUrl ?? 'http://127.0.0.1:8081/apis/ccompat/v7');
    proxy = new ToggleProxy(await freePort(), { host: registry.hostname, port: Number(registry.port) });
    const httpPort = await freePort();
    healthUrl = `http://127.0.0.1:${httpPort}/health/ready`;
    const proxied = new URL(registry);
    proxied.port = String(proxy.port);
    processor = new ProcessorProcess(
      testProcessorEnv(prefix, groupId, {
        PROCESSOR_HTTP_PORT: String(httpPort),
        SCHEMA_REGISTRY_URL: proxied.toString().replace(/\/$/, ''),
        IDLE_TIMEOUT_MS: '0',
        GRACE_MS: String(GRACE_MS),
      }),
    );

    kafka = testKafka('registry-test');
    await provisionTopics(kafka, topicSpecs(prefix), 1);
    const url = registry.toString().replace(/\/$/, '');
    const jsonId = (await registerEventSchema(url, `${input}-value`)).id;
    const avroId = (
      await ccompatRequest<{ id: number }>(url, 'POST', `/subjects/${input}-avro-value/versions`, {
        schemaType: 'AVRO',
        schema: JSON.stringify(metricEventAvroSchema),
      })
    ).id;

    const generated = steadyRecords({
      seed: 20261203,
      count: 6000,
      partitions: PARTITIONS,
      startTime: Date.UTC(2026, 0, 1),
    });
    valid = generated.map((r, i) => {
      const json = Buffer.from(JSON.stringify(r.event));
      const value =
        i % 3 === 0
          ? json
          : i % 3 === 1
            ? writeConfluentFrame(jsonId, json)
            : writeConfluentFrame(avroId, toAvro(r.event!));
      return { ...r, value };
    });
    const bad = (n: number, make: (r: GeneratedRecord) => Buffer) =>
      valid
        .slice(0, n)
        .map((r) => ({ ...r, kind: 'undecodable' as const, value: make(r), event: undefined }));
    const unknownId = bad(BAD_EACH, (r) =>
      writeConfluentFrame(UNKNOWN_ID, Buffer.from(JSON.stringify(r.event))),
    );
    const brokenAvro = bad(BAD_EACH, (r) => writeConfluentFrame(avroId, toAvro(r.event!).subarray(0, 7)));
    unknownIdValues = new Set(unknownId.map((r) => r.value.toString('hex')));
    brokenAvroValues = new Set(brokenAvro.map((r) => r.value.toString('hex')));

    const all = [
      ...valid.slice(0, 3000),
      ...unknownId,
      ...brokenAvro,
      ...valid.slice(3000),
      ...flushMarkers(valid),
    ];
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    for (let j = 0; j < all.length; j += 1000) {
      await producer.send({
        topic: input,
        acks: -1,
        messages: all.slice(j, j + 1000).map((r) => ({ key: r.key, value: r.value, partition: r.partition })),
      });
    }
    await producer.disconnect();
  });

  afterAll(async () => {
    await processor.kill('SIGKILL');
    await proxy.close();
  });

  const readiness = async () => {
    const res = await fetch(healthUrl).catch(() => undefined);
    return res ? { status: res.status, body: await res.text() } : undefined;
  };

  it('holds the input while the registry is unreachable: nothing dead-lettered, not ready', async () => {
    processor.start();
    const said = await waitFor(
      async () => processor.output.join('').includes('schema registry unavailable'),
      60_000,
      250,
    );
    if (!said)
      throw new Error(`the processor never reported the registry outage:\n${processor.output.join('')}`);
    await sleep(3_000);
    const ready = await readiness();
    expect(ready?.status).toBe(503);
    expect(ready?.body).toContain('waiting for the schema registry');
    expect(ready?.body).toContain('ECONNREFUSED');
    expect(await committedTotal(kafka, groupId, input)).toBeLessThan(await endOffsetsTotal(kafka, input));
    const dead = await readTopics(kafka, [`${prefix}metrics-dead-letter`], {
      readCommitted: true,
      timeoutMs: 2_000,
    });
    expect(dead).toEqual([]);
    expect(processor.alive).toBe(true);
  });

  it('reads framed JSON Schema and Avro values exactly once the registry answers', async () => {
    await proxy.open();
    const end = await endOffsetsTotal(kafka, input);
    const finished = await waitFor(
      async () => (await committedTotal(kafka, groupId, input)) >= end,
      90_000,
      500,
    );
    if (!finished) throw new Error(`processing did not finish:\n${processor.output.join('')}`);
    expect((await readiness())?.status).toBe(200);

    const expected = exactWindows([...valid, ...flushMarkers(valid)], GRACE_MS, FLUSH_METRIC);
    const { finals, deadLetters } = await readOutputs(kafka, prefix, expected.windows.size);
    expect(finalsAgainst(expected, finals)).toEqual({ windows: expected.windows.size, wrong: [] });

    // Only the records that are really wrong, each byte for byte, with its own reason.
    const byReason = (reason: string) =>
      new Set(
        deadLetters
          .filter((d) => d.headers[DLQ_HEADERS.reason] === reason)
          .map((d) => d.value!.toString('hex')),
      );
    expect(deadLetters).toHaveLength(2 * BAD_EACH);
    expect(byReason('UNKNOWN_SCHEMA')).toEqual(unknownIdValues);
    expect(byReason('UNDECODABLE')).toEqual(brokenAvroValues);
    const unknownError = deadLetters.find((d) => d.headers[DLQ_HEADERS.reason] === 'UNKNOWN_SCHEMA')?.headers[
      DLQ_HEADERS.error
    ];
    expect(unknownError).toContain(`schema id ${UNKNOWN_ID} is not in the schema registry`);
  });
});
