import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import {
  DLQ_HEADERS,
  topicSpecs,
  WINDOW_SPECS,
  type AggregateRecord,
  type MetricEvent,
} from '@streammetrics/contracts';
import { provisionTopics } from '@streammetrics/kafka';
import { readTopics, testEnv, testKafka, uniqueName, type ReadRecord } from '@streammetrics/testing';
import type { GeneratedRecord } from './support-processor/event-generator';
import { FLUSH_METRIC } from './support-processor/flush-markers';
import {
  committedTotal,
  endOffsetsTotal,
  ProcessorProcess,
  testProcessorEnv,
  waitFor,
} from './support-processor/processor.process';
import {
  exactWindows,
  keyParts,
  rankError,
  aggregateKey,
  type OracleResult,
} from './support-processor/window-oracle';
import { asRecord, confluentFrame, flushEvents, interopEvents } from './support-interop/interop-events';
import {
  buildJavaProducer,
  runJavaProducer,
  type JavaCodec,
  type JavaProducerSummary,
} from './support-interop/java-producer';
import { readBatchHeaders, type BatchHeader } from './support-interop/record-batches';

const PARTITIONS = 6;
const GRACE_MS = 10_000;
const SUBJECT = 'metrics-events-value';
const START = Date.UTC(2026, 10, 2, 9, 0);
const SPAN_MS = 3 * 60_000;
const EVENTS_PER_VARIANT = 1200;

interface Variant {
  name: string;
  compression: JavaCodec;
  confluentFramed: boolean;
  services: string[];
}

const services = (prefix: string) =>
  ['payment-service', 'order-service', 'search-service'].map((s) => `${prefix}-${s}`);

// Which codec each service's records were written with is in the service's name: the snappy-*
// services' records were produced with compression.type=snappy, the lz4-* ones with lz4, and so on.
// The framed-snappy-* services' values are Confluent-framed JSON, in snappy batches.
const VARIANTS: Variant[] = [
  { name: 'snappy', compression: 'snappy', confluentFramed: false, services: services('snappy') },
  { name: 'lz4', compression: 'lz4', confluentFramed: false, services: services('lz4') },
  { name: 'zstd', compression: 'zstd', confluentFramed: false, services: services('zstd') },
  { name: 'gzip', compression: 'gzip', confluentFramed: false, services: services('gzip') },
  {
    name: 'confluent-json-schema',
    compression: 'snappy',
    confluentFramed: true,
    services: services('framed-snappy'),
  },
];

/** One run of the Java program: one JVM, one idempotent producer, one codec. */
interface JavaRun {
  label: string;
  variant?: Variant;
  records: GeneratedRecord[];
  summary: JavaProducerSummary;
  batches: BatchHeader[];
}

/** The registry's id of the event schema, or why there is none. */
async function registeredSchemaId(): Promise<{ id: number } | { problem: string }> {
  const base = process.env.SCHEMA_REGISTRY_URL;
  if (!base)
    return { problem: 'SCHEMA_REGISTRY_URL is not set (the test stack provides no schema registry)' };
  const url = `${base.replace(/\/+$/, '')}/subjects/${SUBJECT}/versions/latest`;
  try {
    const res = await fetch(url, {
      headers: { accept: 'application/vnd.schemaregistry.v1+json, application/json' },
      signal: AbortSignal.timeout(5_000),
    });
    const body = await res.text();
    if (!res.ok) return { problem: `GET ${url} answered ${res.status}: ${body.slice(0, 300)}` };
    const id = (JSON.parse(body) as { id?: unknown }).id;
    if (typeof id !== 'number') return { problem: `GET ${url} gave no numeric id: ${body.slice(0, 300)}` };
    return { id };
  } catch (err) {
    return { problem: `GET ${url} failed: ${(err as Error).message}` };
  }
}

const serviceOfKey = (k: string) => keyParts(k).serviceId;
const hex = (b: Buffer | null) => (b ?? Buffer.alloc(0)).toString('hex');
/** A dead letter for a failure message: reason, error and value, with unprintable bytes as dots. */
const describeDead = (d: ReadRecord) =>
  `${d.headers[DLQ_HEADERS.reason]}: ${d.headers[DLQ_HEADERS.error]} (value ${hex(d.value).slice(0, 24)}...)`.replace(
    /[^\x20-\x7e]/g,
    '.',
  );

/**
 * A Java service of the reference architecture, not kafkajs, writes the input: the stock Apache
 * Kafka Java client 3.9.1 with the README's Spring Boot producer settings (idempotent, acks=all,
 * snappy/lz4/zstd/gzip batches of up to 32 KiB, 10 ms linger), keyed by serviceId through Java's
 * own partitioner. The real processor must read every such batch and emit finals that match an
 * exact computation over the events, with nothing dead-lettered; once more with values in the
 * Confluent wire format under the schema registry's id.
 */
describe('interoperability: a Java producer feeds the stream processor', () => {
  let kafka: Kafka;
  const prefix = `${uniqueName('interop')}.`;
  const groupId = uniqueName('interop-processors');
  const input = `${prefix}metrics-events`;
  const processor = new ProcessorProcess(
    testProcessorEnv(prefix, groupId, {
      IDLE_TIMEOUT_MS: '0',
      GRACE_MS: String(GRACE_MS),
    }),
  );
  const runs: JavaRun[] = [];
  let workDir: string | undefined;
  let schema: { id: number } | { problem: string };
  let expected: OracleResult;
  let finals: Map<string, AggregateRecord[]>;
  let deadLetters: ReadRecord[];

  async function produceWithJava(
    label: string,
    compression: JavaCodec,
    events: MetricEvent[],
    variant?: Variant,
    confluentSchemaId?: number,
  ): Promise<void> {
    const lines = events.map((e) => JSON.stringify(e));
    const file = join(workDir!, `${label.replace(/\W+/g, '-')}.jsonl`);
    writeFileSync(file, `${lines.join('\n')}\n`);
    const records = events.map((e, i) => {
      const json = Buffer.from(lines[i]!, 'utf8');
      const value = confluentSchemaId === undefined ? json : confluentFrame(confluentSchemaId, json);
      return asRecord(e, value, PARTITIONS);
    });
    const summary = await runJavaProducer({
      brokers: testEnv().kafkaBrokers,
      topic: input,
      compression,
      input: file,
      ...(confluentSchemaId === undefined ? {} : { confluentSchemaId }),
    });
    runs.push({ label, ...(variant ? { variant } : {}), records, summary, batches: [] });
  }

  beforeAll(async () => {
    kafka = testKafka('interop-test');
    workDir = mkdtempSync(join(tmpdir(), 'sm-interop-'));
    await Promise.all([provisionTopics(kafka, topicSpecs(prefix), 1), buildJavaProducer()]);
    schema = await registeredSchemaId();

    // One run per codec, one after the other, each four minutes of event time after the last, so
    // every partition's stream time only grows and no record of a later run is late.
    for (const [i, v] of VARIANTS.entries()) {
      let schemaId: number | undefined;
      if (v.confluentFramed) {
        if (!('id' in schema)) continue;
        schemaId = schema.id;
      }
      const events = interopEvents({
        seed: 20261202 + i,
        services: v.services,
        startTime: START + i * 4 * 60_000,
        spanMs: SPAN_MS,
        count: EVENTS_PER_VARIANT,
      });
      await produceWithJava(v.name, v.compression, events, v, schemaId);
    }
    // Flush markers last, plain JSON, so the plain runs' windows close even if framed values are
    // not understood.
    const latest = Math.max(...runs.flatMap((r) => r.records.map((x) => x.event!.timestamp)));
    await produceWithJava('flush markers', 'gzip', flushEvents(latest, PARTITIONS));

    // Each run's batches are those in its acknowledged offset range on each partition.
    const batches = await readBatchHeaders(kafka, input);
    for (const r of runs) {
      r.batches = batches.filter((b) => {
        const p = r.summary.partitions[String(b.partition)];
        return p !== undefined && b.baseOffset >= p.firstOffset && b.lastOffset <= p.lastOffset;
      });
    }
    process.stderr.write(`[interop] the Java producer's batches:\n${runs.map(describeBatches).join('\n')}\n`);

    expected = exactWindows(
      runs.flatMap((r) => r.records),
      GRACE_MS,
      FLUSH_METRIC,
    );

    processor.start();
    const end = await endOffsetsTotal(kafka, input);
    const finished = await waitFor(
      async () => !processor.alive || (await committedTotal(kafka, groupId, input)) >= end,
      90_000,
      500,
    );
    if (!finished || !processor.alive) {
      throw new Error(
        `the processor ${processor.alive ? 'did not finish' : 'exited'} reading the Java producer's ` +
          `batches (${await committedTotal(kafka, groupId, input)} of ${end} committed); its output:\n` +
          processor.output.join(''),
      );
    }

    const framedServices = new Set(VARIANTS.filter((v) => v.confluentFramed).flatMap((v) => v.services));
    const plainWindows = [...expected.windows.keys()].filter(
      (k) => !framedServices.has(serviceOfKey(k)),
    ).length;
    const framedRecords = runs.filter((r) => r.variant?.confluentFramed).flatMap((r) => r.records).length;
    const isFinal = (r: ReadRecord) => r.headers.emit === 'final';
    const isDead = (r: ReadRecord) => r.topic.endsWith('metrics-dead-letter');
    const out = await readTopics(
      kafka,
      [...WINDOW_SPECS.map((w) => `${prefix}${w.topic}`), `${prefix}metrics-dead-letter`],
      {
        readCommitted: true,
        timeoutMs: 60_000,
        settleMs: 2_000,
        // Everything is committed already; stop early when framed values were dead-lettered instead.
        done: (rs) => {
          const f = rs.filter(isFinal).length;
          const d = rs.filter(isDead).length;
          return f >= expected.windows.size || (framedRecords > 0 && f >= plainWindows && d >= framedRecords);
        },
      },
    );
    deadLetters = out.filter(isDead);
    finals = new Map();
    for (const r of out) {
      if (!isFinal(r)) continue;
      const a = JSON.parse(r.value!.toString()) as AggregateRecord;
      if (a.metricName === FLUSH_METRIC) continue;
      const k = aggregateKey(a);
      finals.set(k, [...(finals.get(k) ?? []), a]);
    }
  }, 170_000);

  afterAll(async () => {
    await processor.kill('SIGKILL');
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  });

  /** What one Java run looked like on the broker, next to what it must look like. */
  function checkRun(r: JavaRun, codec: JavaCodec) {
    const predicted: Record<string, string[]> = {};
    for (const x of r.records) {
      const keys = (predicted[String(x.partition)] ??= []);
      if (!keys.includes(x.key)) keys.push(x.key);
    }
    for (const keys of Object.values(predicted)) keys.sort();
    const byPartition = new Map<number, BatchHeader[]>();
    for (const b of r.batches) byPartition.set(b.partition, [...(byPartition.get(b.partition) ?? []), b]);
    // An idempotent producer numbers each partition's records from 0 with no gap between batches.
    let sequenceGaps = 0;
    for (const bs of byPartition.values()) {
      let next = 0;
      for (const b of bs) {
        if (b.baseSequence !== next) sequenceGaps++;
        next = b.baseSequence + b.records;
      }
    }
    expect({
      acknowledged: r.summary.acknowledged,
      keysByPartition: Object.fromEntries(Object.entries(r.summary.partitions).map(([p, x]) => [p, x.keys])),
      batchedRecords: r.batches.reduce((n, b) => n + b.records, 0),
      codecs: [...new Set(r.batches.map((b) => b.codec))],
      // An idempotent producer's batches carry the producer id the broker gave it; others carry -1.
      withProducerId: [...new Set(r.batches.map((b) => b.producerId >= 0n))],
      distinctProducerIds: new Set(r.batches.map((b) => b.producerId)).size,
      transactionalOrControl: r.batches.filter((b) => b.transactional || b.control).length,
      sequenceGaps,
    }).toEqual({
      acknowledged: r.records.length,
      keysByPartition: predicted,
      batchedRecords: r.records.length,
      codecs: [codec],
      withProducerId: [true],
      distinctProducerIds: 1,
      transactionalOrControl: 0,
      sequenceGaps: 0,
    });
  }

  /** The variant's finals against the oracle: each window once, exact, percentiles within error. */
  function checkWindows(v: Variant): void {
    const mine = new Set(v.services);
    const want = [...expected.windows].filter(([k]) => mine.has(serviceOfKey(k)));
    const got = [...finals].filter(([k]) => mine.has(serviceOfKey(k)));
    const wrong: string[] = [];
    let worstRankError = 0;
    for (const [k, w] of want) {
      const a = finals.get(k)?.[0];
      if (!a) continue;
      if (a.count !== w.count || a.sum !== w.sum || a.min !== w.min || a.max !== w.max) {
        wrong.push(
          `${k}: got ${a.count}/${a.sum}/${a.min}/${a.max}, want ${w.count}/${w.sum}/${w.min}/${w.max}`,
        );
      }
      const sorted = [...w.values].sort((x, y) => x - y);
      for (const [q, est] of [
        [0.5, a.p50],
        [0.95, a.p95],
        [0.99, a.p99],
      ] as const) {
        // Small windows hold few values: allow one value's worth of rank on top of the digest's error.
        worstRankError = Math.max(worstRankError, rankError(sorted, q, est) - 1 / sorted.length);
      }
    }
    expect(want.length).toBeGreaterThan(100);
    expect({
      variant: v.name,
      windows: got.length,
      missing: want
        .filter(([k]) => !finals.has(k))
        .map(([k]) => k)
        .slice(0, 5),
      duplicated: got
        .filter(([, fs]) => fs.length > 1)
        .map(([k]) => k)
        .slice(0, 5),
      unexpected: got
        .filter(([k]) => !expected.windows.has(k))
        .map(([k]) => k)
        .slice(0, 5),
      wrong: wrong.slice(0, 5),
    }).toEqual({
      variant: v.name,
      windows: want.length,
      missing: [],
      duplicated: [],
      unexpected: [],
      wrong: [],
    });
    expect(worstRankError).toBeLessThan(0.02);
  }

  it('reads the Java client snappy, lz4, zstd and gzip batches with exact windows', () => {
    for (const v of VARIANTS.filter((x) => !x.confluentFramed)) {
      const r = runs.find((x) => x.variant === v)!;
      checkRun(r, v.compression);
      checkWindows(v);
    }
    checkRun(
      runs.find((r) => r.label === 'flush markers')!,
      'gzip',
    );

    // No final of a service nobody sent.
    const known = new Set(VARIANTS.flatMap((v) => v.services));
    expect([...finals.keys()].filter((k) => !known.has(serviceOfKey(k))).slice(0, 5)).toEqual([]);

    // Nothing plain was dead-lettered (framed values are the next test's concern).
    const framed = new Set(
      runs.filter((r) => r.variant?.confluentFramed).flatMap((r) => r.records.map((x) => hex(x.value))),
    );
    const plainDead = deadLetters.filter((d) => !framed.has(hex(d.value))).map(describeDead);
    expect(plainDead.slice(0, 5)).toEqual([]);
  });

  it('reads Confluent-framed JSON Schema values (magic byte 0, schema id) with exact windows', async () => {
    if ('problem' in schema) throw new Error(`no id for the schema subject ${SUBJECT}: ${schema.problem}`);
    const frameHead = `00${schema.id.toString(16).padStart(8, '0')}`;
    const v = VARIANTS.find((x) => x.confluentFramed)!;
    const r = runs.find((x) => x.variant === v)!;
    checkRun(r, v.compression);

    // The Java program framed each value exactly as Confluent's serializer would: compare the
    // input topic's bytes with the frames computed here.
    const mine = new Set(v.services);
    const onTopic = await readTopics(kafka, [input], {
      readCommitted: true,
      timeoutMs: 30_000,
      done: (rs) => rs.length >= runs.reduce((n, x) => n + x.records.length, 0),
    });
    const framedOnTopic = onTopic
      .filter((x) => x.key !== null && mine.has(x.key))
      .map((x) => hex(x.value))
      .sort();
    expect(framedOnTopic).toEqual(r.records.map((x) => hex(x.value)).sort());
    expect(framedOnTopic.filter((x) => !x.startsWith(`${frameHead}7b`)).slice(0, 3)).toEqual([]);

    // Nothing dead-lettered at all; checked before the windows, since a processor that cannot
    // decode the frame says why in these records' headers.
    expect({
      deadLetters: deadLetters.length,
      first: deadLetters.slice(0, 3).map(describeDead),
    }).toEqual({ deadLetters: 0, first: [] });
    checkWindows(v);
  });
});

/** One line per Java run: codec, batch count and sizes, producer ids, for the test's log. */
function describeBatches(r: JavaRun): string {
  const n = r.batches.length;
  const records = r.batches.map((b) => b.records);
  const bytes = r.batches.map((b) => b.sizeBytes);
  const raw = r.records.reduce((s, x) => s + x.value.length, 0);
  const pids = [...new Set(r.batches.map((b) => `${b.producerId}/${b.producerEpoch}`))];
  const partitions = Object.keys(r.summary.partitions).length;
  return (
    `  ${r.label}: ${r.records.length} records (${raw} value bytes) on ${partitions} partitions in ${n} ` +
    `${[...new Set(r.batches.map((b) => b.codec))].join('+')} batches, ` +
    `${Math.min(...records)}-${Math.max(...records)} records and ${Math.min(...bytes)}-${Math.max(...bytes)} bytes ` +
    `per batch (${bytes.reduce((s, x) => s + x, 0)} bytes in all), producer id/epoch ${pids.join(', ')}`
  );
}
