/**
 * `npm run bench:processor [-- --quick]`: the stream processor with exactly once on this machine.
 *
 * 1. Throughput: N fleet events pre-generated into a fresh input topic; the ceiling (a plain
 *    kafkajs consumer doing nothing) and the processor (fresh group) each read all of it.
 * 2. Restore: the processor is stopped and restarted on the state the run left; restore time.
 * 3. Latency at 10,000 events/s: probe events (one new series each) produced live; latency is the
 *    time from before the producer's send() to the arrival of the first committed output record of
 *    that series on a read_committed consumer. Commit interval 20 ms; the emit interval stays 1 s:
 *    its throttle lets the first update of a window out at the next commit and holds later ones.
 * 4. Memory: 100,000 active series (one slice each); heap per slice and process RSS.
 * Prints a markdown table and writes JSON to bench/results/.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { topicSpecs, WINDOW_SPECS, type MetricEvent } from '@streammetrics/contracts';
import { createKafka, groupProgress, provisionTopics } from '@streammetrics/kafka';
import { FleetGenerator, KafkaEventSink } from '@streammetrics/fleet';
import { runPlainKafkajs } from '../harness/ceiling';
import { BenchProcessor } from './processor.runner';

const quick = process.argv.includes('--quick');
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const N = quick ? 300_000 : 2_000_000;
const LATENCY_SECONDS = quick ? 15 : 45;
const MEMORY_SERIES = 100_000;
const run = `b${Date.now().toString(36)}`;

interface Row {
  measure: string;
  value: string;
  target: string;
  reference: string;
}

async function topics(kafka: Kafka, prefix: string): Promise<string> {
  await provisionTopics(kafka, topicSpecs(prefix), 1);
  return `${prefix}metrics-events`;
}

async function produceAll(topic: string, events: MetricEvent[]): Promise<void> {
  const sink = new KafkaEventSink({ brokers: BROKERS, topic, clientId: 'bench-producer' });
  await sink.connect();
  for (let i = 0; i < events.length; i += 2_000) await sink.send(events.slice(i, i + 2_000));
  await sink.close();
}

async function throughput(kafka: Kafka, rows: Row[], json: Record<string, unknown>): Promise<void> {
  const prefix = `${run}-tp.`;
  const topic = await topics(kafka, prefix);
  const gen = new FleetGenerator({ services: 20, seed: 7, outOfOrderFraction: 0.02 });
  // Event time advances 50,000 events per second of event time: windows open and close as in a
  // fleet that size, so the processor does its full work (updates, finals, tombstones).
  const t0 = Date.UTC(2026, 0, 1);
  const events = Array.from({ length: N }, (_, i) => gen.next(t0 + Math.floor(i / 50)));
  await produceAll(topic, events);
  // The one plain kafkajs consumer ceiling every benchmark shares (bench/harness/plain-consumer.ts),
  // in its own process like the processor, on the same topic in the same run.
  const plain = await runPlainKafkajs(BROKERS, topic, N, `${run}-ceiling`);
  const ceil = plain.eventsPerSecond;

  const group = `${run}-tp`;
  const env = { TOPIC_PREFIX: prefix, PROCESSOR_GROUP_ID: group, IDLE_TIMEOUT_MS: '0' };
  const p = new BenchProcessor(19464, env);
  await p.ready(60_000);
  let start: { t: number; committed: number } | undefined;
  for (;;) {
    const g = await groupProgress(kafka, group, topic);
    p.stats();
    if (!start && g.committed > 0) start = { t: performance.now(), committed: g.committed };
    if (g.committed >= N) break;
    await sleep(200);
  }
  const seconds = (performance.now() - start!.t) / 1000;
  const rate = (N - start!.committed) / seconds;
  const m = await p.metrics();
  const stats = p.stats();
  await p.stop('SIGTERM');

  // Restore: a new instance on the state this run left in the changelog.
  const restarted = new BenchProcessor(19465, env);
  const t = performance.now();
  await restarted.ready(120_000);
  const readyMs = performance.now() - t;
  const r = await restarted.metrics();
  await restarted.stop('SIGTERM');

  rows.push(
    {
      measure: 'sustained events/s, exactly once',
      value: fmt(rate),
      target: '>= 150,000',
      reference: `ceiling ${fmt(ceil)} (plain kafkajs consumer, ${((plain.cpuSeconds * 1e6) / N).toFixed(1)} CPU µs/event); ratio ${(rate / ceil).toFixed(2)}`,
    },
    {
      measure: 'processor CPU seconds / peak RSS (throughput run)',
      value: `${stats.cpuSeconds.toFixed(1)} s (${((stats.cpuSeconds * 1e6) / N).toFixed(1)} µs/event) / ${stats.peakRssMb.toFixed(0)} MB`,
      target: '',
      reference: `${N} events`,
    },
    {
      measure: 'outputs per input event',
      value: ((m.get('streammetrics_processor_outputs_total') ?? 0) / N).toFixed(3),
      target: 'a fraction',
      reference: `${fmt(m.get('streammetrics_processor_outputs_total') ?? 0)} outputs`,
    },
    {
      measure: 'restore of the state left by the run',
      value: `${(r.get('streammetrics_processor_last_restore_seconds') ?? 0).toFixed(2)} s (max per partition sum)`,
      target: '',
      reference: `ready after ${(readyMs / 1000).toFixed(1)} s incl. process start`,
    },
  );
  json.throughput = {
    events: N,
    eventsPerSecond: rate,
    ceilingEventsPerSecond: ceil,
    ceilingCpuSeconds: plain.cpuSeconds,
    ceilingSeconds: plain.seconds,
    cpuSeconds: stats.cpuSeconds,
    peakRssMb: stats.peakRssMb,
    outputs: m.get('streammetrics_processor_outputs_total'),
    transactions: m.get('streammetrics_processor_transactions_total'),
  };
  json.restore = {
    restoreSecondsSumOverPartitions: r.get('streammetrics_processor_last_restore_seconds'),
    readyMs,
  };
}

async function latency(kafka: Kafka, rows: Row[], json: Record<string, unknown>): Promise<void> {
  const prefix = `${run}-lat.`;
  const topic = await topics(kafka, prefix);
  const p = new BenchProcessor(19466, {
    TOPIC_PREFIX: prefix,
    PROCESSOR_GROUP_ID: `${run}-lat`,
    COMMIT_INTERVAL_MS: '20',
    EMIT_INTERVAL_MS: '1000',
  });
  await p.ready(60_000);
  const sent = new Map<string, { at: number; wall: number }>();
  const latencies: number[] = [];
  // Per probe, where its time went: produce -> the processor's collect (fetch, ingest and the wait
  // for the partition's next commit) and collect -> the reader (the transaction and the reader's fetch).
  const toEmit: number[] = [];
  const toRead: number[] = [];
  const reader = kafka.consumer({ groupId: `${run}-lat-reader`, readUncommitted: false, maxWaitTimeInMs: 5 });
  await reader.connect();
  await reader.subscribe({ topics: WINDOW_SPECS.map((w) => `${prefix}${w.topic}`), fromBeginning: true });
  await reader.run({
    autoCommit: false,
    partitionsConsumedConcurrently: 12,
    eachBatch: async ({ batch }) => {
      const now = performance.now();
      const wall = Date.now();
      for (const m of batch.messages) {
        if (m.key?.toString() !== 'bench-probe') continue;
        const r = JSON.parse(m.value!.toString()) as { tags: Record<string, string>; emittedAt: number };
        const probe = r.tags.probe;
        const s = probe === undefined ? undefined : sent.get(probe);
        if (s !== undefined) {
          latencies.push(now - s.at);
          toEmit.push(r.emittedAt - s.wall);
          toRead.push(wall - r.emittedAt);
          sent.delete(probe!);
        }
      }
    },
  });
  await sleep(2000); // let the reader join before probes start
  await p.runtimeStats(); // the event-loop delay counts from here, not from start-up and compilation
  const producer = createKafka({ brokers: BROKERS, clientId: 'bench-latency' }).producer({
    idempotent: true,
    maxInFlightRequests: 1,
  });
  await producer.connect();
  const gen = new FleetGenerator({ services: 20, seed: 11 });
  const perTick = 100; // 100 events every 10 ms = 10,000 events/s
  const ticks = LATENCY_SECONDS * 100;
  const begin = performance.now();
  for (let i = 0; i < ticks; i++) {
    const now = Date.now();
    const batch = Array.from({ length: perTick }, () => gen.next(now));
    const messages = batch.map((e) => ({ key: e.serviceId, value: JSON.stringify(e) }));
    let probe: string | undefined;
    if (i % 5 === 0) {
      probe = String(i);
      const e: MetricEvent = {
        eventId: `probe-${i}`,
        timestamp: now,
        serviceId: 'bench-probe',
        metricName: 'probe',
        value: 1,
        tags: { probe },
      };
      messages.push({ key: e.serviceId, value: JSON.stringify(e) });
    }
    if (probe) sent.set(probe, { at: performance.now(), wall: Date.now() });
    await producer.send({ topic, acks: -1, messages });
    const next = begin + (i + 1) * 10;
    const wait = next - performance.now();
    if (wait > 0) await sleep(wait);
  }
  const achieved = (ticks * perTick) / ((performance.now() - begin) / 1000);
  await sleep(3000);
  await producer.disconnect();
  await reader.disconnect();
  const stats = p.stats();
  const runtime = await p.runtimeStats();
  await p.stop('SIGTERM');
  const q = quantiles(latencies);
  const emit = quantiles(toEmit);
  const read = quantiles(toRead);
  rows.push({
    measure: `produce -> first output, p50 / p99 (at ${fmt(achieved)} ev/s)`,
    value: `${q(0.5).toFixed(1)} / ${q(0.99).toFixed(1)} ms`,
    target: 'p99 <= 50 ms',
    reference: `${latencies.length} probes; commit interval 20 ms, emit interval 1 s (first update of a window is not delayed); ${stats.cpuSeconds.toFixed(1)} CPU s`,
  });
  rows.push({
    measure: 'where it goes, p50 / p99: produce -> collect; collect -> reader',
    value: `${emit(0.5).toFixed(1)} / ${emit(0.99).toFixed(1)} ms; ${read(0.5).toFixed(1)} / ${read(0.99).toFixed(1)} ms`,
    target: '',
    reference:
      `transaction p50 / p99 ${fmtMs(runtime.commitP50)} / ${fmtMs(runtime.commitP99)} (${fmt(runtime.transactions)} transactions, ${fmt(runtime.outputs)} outputs); ` +
      `GC ${runtime.gcSeconds.toFixed(2)} s; event-loop delay max ${fmtMs(runtime.eventLoopMaxSeconds)}; load average ${loadavg()[0]!.toFixed(2)}`,
  });
  json.latency = {
    achievedEventsPerSecond: achieved,
    probes: latencies.length,
    lost: sent.size,
    p50: q(0.5),
    p99: q(0.99),
    max: q(1),
    produceToCollect: { p50: emit(0.5), p99: emit(0.99), max: emit(1) },
    collectToReader: { p50: read(0.5), p99: read(0.99), max: read(1) },
    processor: runtime,
    loadAverage: loadavg(),
  };
}

async function memory(kafka: Kafka, rows: Row[], json: Record<string, unknown>): Promise<void> {
  const prefix = `${run}-mem.`;
  const topic = await topics(kafka, prefix);
  const group = `${run}-mem`;
  const p = new BenchProcessor(19467, {
    TOPIC_PREFIX: prefix,
    PROCESSOR_GROUP_ID: group,
    IDLE_TIMEOUT_MS: '0',
    MAX_TAG_SETS_PER_METRIC: '1000',
  });
  await p.ready(60_000);
  await sleep(1000);
  const before = await p.metrics();
  // 100 services x 10 metrics x 100 tag sets = 100,000 series, two events each, all in one slice.
  const now = Date.now();
  const sliceStart = now - (now % 10_000);
  const events: MetricEvent[] = [];
  for (let k = 0; k < 2; k++) {
    for (let s = 0; s < 100; s++) {
      for (let m = 0; m < 10; m++) {
        for (let t = 0; t < 100; t++) {
          events.push({
            eventId: `m-${k}-${s}-${m}-${t}`,
            timestamp: sliceStart + k,
            serviceId: `mem-svc-${s}`,
            metricName: `metric.${m}`,
            value: 10 + k + t,
            tags: { tagset: String(t) },
          });
        }
      }
    }
  }
  await produceAll(topic, events);
  for (;;) {
    const g = await groupProgress(kafka, group, topic);
    if (g.committed >= events.length) break;
    await sleep(200);
  }
  const after = await p.metrics();
  const stats = p.stats();
  await p.stop('SIGTERM');
  const slices = after.get('streammetrics_processor_active_slices') ?? 0;
  const series = after.get('streammetrics_processor_active_series') ?? 0;
  const heapDelta =
    (after.get('nodejs_heap_size_used_bytes') ?? 0) - (before.get('nodejs_heap_size_used_bytes') ?? 0);
  const rss = (after.get('process_resident_memory_bytes') ?? 0) / 1024 / 1024;
  rows.push(
    {
      measure: 'heap per active series (1 slice each, incl. digest and window bookkeeping)',
      value: `${(heapDelta / Math.max(1, slices)).toFixed(0)} B`,
      target: '<= 2 KB per slice digest',
      reference: `${fmt(series)} series, ${fmt(slices)} slices, heap +${(heapDelta / 1048576).toFixed(0)} MB`,
    },
    {
      measure: `processor RSS with ${fmt(series)} active series`,
      value: `${rss.toFixed(0)} MB (peak ${stats.peakRssMb.toFixed(0)} MB)`,
      target: '< 512 MB',
      reference: '',
    },
  );
  json.memory = {
    series,
    slices,
    heapDeltaBytes: heapDelta,
    rssMb: rss,
    peakRssMb: stats.peakRssMb,
    targetSeries: MEMORY_SERIES,
  };
}

/** Nearest-rank quantiles of the samples (sorted in place); q(1) is the maximum. */
function quantiles(samples: number[]): (x: number) => number {
  samples.sort((a, b) => a - b);
  return (x) => samples[Math.min(samples.length - 1, Math.floor(x * samples.length))] ?? NaN;
}

const fmtMs = (seconds: number) =>
  seconds === Infinity ? 'over 5 s (the last bucket)' : `${(seconds * 1000).toFixed(1)} ms`;

function fmt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const kafka = createKafka({ brokers: BROKERS, clientId: 'bench-processor' });
  const rows: Row[] = [];
  const json: Record<string, unknown> = {
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30) },
    command: `npm run bench:processor${quick ? ' -- --quick' : ''}`,
    startedAt: new Date().toISOString(),
  };
  // `--phases memory` (or any comma-separated subset) runs only those phases.
  const phases = (
    process.argv.find((a) => a.startsWith('--phases='))?.slice(9) ?? 'throughput,latency,memory'
  ).split(',');
  if (phases.includes('throughput')) await throughput(kafka, rows, json);
  if (phases.includes('latency')) await latency(kafka, rows, json);
  if (phases.includes('memory')) await memory(kafka, rows, json);
  const table = [
    '| measure | value | target | reference in the same run |',
    '|---|---|---|---|',
    ...rows.map((r) => `| ${r.measure} | ${r.value} | ${r.target} | ${r.reference} |`),
  ].join('\n');
  process.stdout.write(`\n${table}\n`);
  const dir = join(__dirname, '..', 'results');
  mkdirSync(dir, { recursive: true });
  const body = JSON.stringify({ ...json, rows }, null, 2);
  writeFileSync(join(dir, `processor-${json.startedAt as string}.json`.replace(/:/g, '-')), body);
  writeFileSync(join(dir, 'processor-latest.json'), body);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    process.stderr.write(`[bench:processor] ${(err as Error).stack}\n`);
    process.exit(1);
  },
);
