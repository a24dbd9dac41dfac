/**
 * Part 2 of bench:decode, through the real broker: the same plain-JSON events produced once per
 * record-batch codec (batches of 1000 records, one partition each), then read back from the
 * beginning by the harness's plain kafkajs consumer (bench/harness/plain-consumer.ts: its own
 * process, timed from the group join, with its CPU over that time) and by Kafka's
 * ConsumerPerformance (the JVM peer). A separate untimed
 * read checks that every record came back byte for byte.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CompressionCodecs, type Admin, type Kafka } from 'kafkajs';
import type { KafkaCompression } from '@streammetrics/config';
import { compressionOf, ZSTD_WRITABLE } from '@streammetrics/kafka';
import { runConsumerPerformance, runPlainConsumerProcess } from '../harness/ceiling';
import { KAFKA_DATA, KAFKA_LIBS } from '../../scripts/stack/stack.paths';

export const CODECS: KafkaCompression[] = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];
export const PARTITIONS = 6;
const BATCH = 1000;
const IN_FLIGHT = 4;
const MiB = 1024 * 1024;

interface ConsumeResult {
  count: number;
  seconds: number;
  /** CPU from the group join to the last record. */
  cpuSeconds: number;
  processCpuSeconds: number;
  peakRssMb: number;
}

async function runCodecConsumer(
  brokers: string[],
  topic: string,
  expected: number,
  groupId: string,
): Promise<ConsumeResult> {
  const p = await runPlainConsumerProcess(brokers, topic, expected, groupId);
  if (p.count < expected) throw new Error(`kafkajs consumer read ${p.count} of ${expected}`);
  return {
    count: p.count,
    seconds: (p.doneAt - p.firstAt) / 1000,
    cpuSeconds: p.cpuSecondsSinceJoin,
    processCpuSeconds: p.cpuSeconds,
    peakRssMb: p.peakRssMb,
  };
}

export interface CodecRow {
  codec: KafkaCompression;
  topic: string;
  status: 'ok' | 'failed' | 'not available';
  producer: 'kafkajs (createKafka)' | 'Java ConsoleProducer' | '–';
  records: number;
  valueBytes: number;
  produceSeconds?: number;
  produceCpuUsPerRecord?: number;
  diskBytes?: number;
  /** The codec alone on one batch's values, µs per record. */
  codecCompressUs?: number;
  codecDecompressUs?: number;
  /** Disk bytes of the `none` topic over this topic's. */
  ratio?: number;
  consumeRecordsPerSecond?: number;
  consumeRuns?: number[];
  /** Consumer CPU from the group join to the last record, per record (median of the runs). */
  consumerCpuUsPerRecord?: number;
  consumerPeakRssMb?: number;
  jvmRecordsPerSecond?: number;
  verified?: string;
  note?: string;
}

export interface CodecPlan {
  kafka: Kafka;
  brokers: string[];
  prefix: string;
  keys: string[];
  values: Buffer[];
  /** eventId of each value, for the byte-for-byte check. */
  ids: string[];
  consumeRuns: number;
  log: (line: string) => void;
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
};

/** Bytes of the topic's log segments, from the broker's data directory (the local stack's). */
export function diskBytes(topic: string): number | undefined {
  let total = 0;
  let found = false;
  for (let p = 0; p < PARTITIONS; p++) {
    const dir = join(KAFKA_DATA, `${topic}-${p}`);
    if (!existsSync(dir)) continue;
    found = true;
    for (const f of readdirSync(dir)) if (f.endsWith('.log')) total += statSync(join(dir, f)).size;
  }
  return found ? total : undefined;
}

async function produceKafkajs(
  plan: CodecPlan,
  topic: string,
  codec: KafkaCompression,
): Promise<{ seconds: number; cpuUs: number }> {
  const producer = plan.kafka.producer({ allowAutoTopicCreation: false });
  await producer.connect();
  const compression = compressionOf(codec);
  try {
    const n = plan.values.length;
    let next = 0;
    const cpu0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const worker = async () => {
      for (;;) {
        const chunk = next++;
        const from = chunk * BATCH;
        if (from >= n) return;
        const partition = chunk % PARTITIONS;
        const messages = [];
        for (let i = from; i < Math.min(n, from + BATCH); i++)
          messages.push({ key: plan.keys[i]!, value: plan.values[i]!, partition });
        await producer.send({ topic, compression, acks: -1, messages });
      }
    };
    await Promise.all(Array.from({ length: IN_FLIGHT }, worker));
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    return { seconds, cpuUs: cpu.user + cpu.system };
  } finally {
    await producer.disconnect();
  }
}

/**
 * zstd where this runtime cannot write it: Kafka's console producer writes the same lines
 * (key TAB value), with batch.size set so a batch holds about 1000 records like ours.
 */
async function produceJava(
  plan: CodecPlan,
  topic: string,
  codec: KafkaCompression,
): Promise<{ seconds: number }> {
  const avg = plan.values.reduce((s, v) => s + v.length, 0) / plan.values.length;
  const child = spawn(
    'java',
    [
      '-Xmx512m',
      '-cp',
      `${KAFKA_LIBS}/*`,
      'kafka.tools.ConsoleProducer',
      '--bootstrap-server',
      plan.brokers.join(','),
      '--topic',
      topic,
      '--compression-codec',
      codec,
      '--producer-property',
      `batch.size=${Math.round(BATCH * (avg + 40))}`,
      '--producer-property',
      'linger.ms=200',
      '--producer-property',
      'max.request.size=16777216',
      '--producer-property',
      'acks=all',
      '--property',
      'parse.key=true',
      '--property',
      'key.separator=\t',
    ],
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let err = '';
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  child.stdout.resume();
  const done = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const t0 = Date.now();
  for (let i = 0; i < plan.values.length; i++) {
    const line = `${plan.keys[i]}\t${plan.values[i]!.toString('utf8')}\n`;
    if (!child.stdin.write(line)) await new Promise((r) => child.stdin.once('drain', r));
  }
  child.stdin.end();
  const code = await done;
  if (code !== 0) throw new Error(`ConsoleProducer exited ${code}: ${err.slice(-2000)}`);
  return { seconds: (Date.now() - t0) / 1000 };
}

interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/**
 * The codec alone, in process, on the values of one 1000-record batch: what compressing and
 * decompressing cost apart from kafkajs' record-batch encoding and the fetch path. Median of 30.
 */
async function codecAlone(
  plan: CodecPlan,
  codec: KafkaCompression,
): Promise<{ compressUs?: number; decompressUs?: number }> {
  if (codec === 'none' || (codec === 'zstd' && !ZSTD_WRITABLE)) return {};
  const c = (CompressionCodecs as unknown as Record<number, () => Codec>)[compressionOf(codec)]?.();
  if (!c) return {};
  const buffer = Buffer.concat(plan.values.slice(0, BATCH));
  const records = Math.min(BATCH, plan.values.length);
  const time = async (f: () => Promise<unknown>) => {
    const xs: number[] = [];
    for (let i = 0; i < 40; i++) {
      const t0 = process.hrtime.bigint();
      await f();
      if (i >= 10) xs.push(Number(process.hrtime.bigint() - t0) / 1e3 / records);
    }
    return median(xs);
  };
  const compressed = await c.compress({ buffer });
  const back = await c.decompress(compressed);
  if (!back.equals(buffer)) throw new Error(`${codec}: decompress(compress(batch)) differs from the batch`);
  return {
    compressUs: await time(() => c.compress({ buffer })),
    decompressUs: await time(() => c.decompress(compressed)),
  };
}

/** Reads the topic back (untimed) and checks every value against what was produced. */
async function verify(plan: CodecPlan, topic: string, groupId: string): Promise<string | undefined> {
  const expected = new Map<string, Buffer>();
  plan.ids.forEach((id, i) => expected.set(id, plan.values[i]!));
  const consumer = plan.kafka.consumer({ groupId, maxBytes: 64 * MiB, maxBytesPerPartition: 8 * MiB });
  await consumer.connect();
  let read = 0;
  const wrong: string[] = [];
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`verify: read ${read} of ${plan.values.length} records in 120 s`)),
        120_000,
      );
      void consumer
        .run({
          autoCommit: false,
          eachBatch: async ({ batch }) => {
            for (const m of batch.messages) {
              read++;
              const value = m.value as Buffer;
              let id: string;
              try {
                id = (JSON.parse(value.toString('utf8')) as { eventId: string }).eventId;
              } catch {
                wrong.push(`p${batch.partition}@${m.offset}: not JSON`);
                continue;
              }
              const want = expected.get(id);
              if (!want) wrong.push(`p${batch.partition}@${m.offset}: ${id} unexpected or duplicated`);
              else if (!want.equals(value)) wrong.push(`p${batch.partition}@${m.offset}: ${id} differs`);
              expected.delete(id);
            }
            if (read >= plan.values.length) {
              clearTimeout(timer);
              resolve();
            }
          },
        })
        .catch(reject);
    });
  } finally {
    await consumer.disconnect();
  }
  if (expected.size > 0) wrong.push(`${expected.size} records missing`);
  return wrong.length === 0 ? undefined : `${wrong.length} problems: ${wrong.slice(0, 5).join('; ')}`;
}

export async function measureCodecs(
  plan: CodecPlan,
  admin: Admin,
): Promise<{ rows: CodecRow[]; errors: string[]; topics: string[] }> {
  const errors: string[] = [];
  const rows: CodecRow[] = [];
  const topics: string[] = [];
  const n = plan.values.length;
  const valueBytes = plan.values.reduce((s, v) => s + v.length, 0);
  const java = spawnSync('java', ['-version']).status === 0;
  for (const codec of CODECS) {
    const topic = `${plan.prefix}${codec}`;
    const row: CodecRow = { codec, topic, status: 'ok', producer: '–', records: n, valueBytes };
    rows.push(row);
    const viaJava = codec === 'zstd' && !ZSTD_WRITABLE;
    if (viaJava && !java) {
      row.status = 'not available';
      row.note = `not writable on Node ${process.version} (read-only) and no java for a stock producer`;
      continue;
    }
    plan.log(`## ${codec}: produce ${n} records to ${topic}${viaJava ? ' with Kafka ConsoleProducer' : ''}`);
    try {
      await admin.createTopics({
        topics: [{ topic, numPartitions: PARTITIONS, replicationFactor: 1 }],
        waitForLeaders: true,
      });
      topics.push(topic);
      if (viaJava) {
        row.producer = 'Java ConsoleProducer';
        row.note = `not writable on Node ${process.version} (read-only: fzstd decompresses); written by Kafka's console producer`;
        row.produceSeconds = (await produceJava(plan, topic, codec)).seconds;
      } else {
        row.producer = 'kafkajs (createKafka)';
        const p = await produceKafkajs(plan, topic, codec);
        row.produceSeconds = p.seconds;
        row.produceCpuUsPerRecord = p.cpuUs / n;
      }
      row.diskBytes = diskBytes(topic);
      plan.log(
        `  produced in ${row.produceSeconds.toFixed(1)} s${row.produceCpuUsPerRecord ? `, ${row.produceCpuUsPerRecord.toFixed(1)} CPU µs/record` : ''}; ${row.diskBytes === undefined ? 'log directory not found' : `${(row.diskBytes / MiB).toFixed(1)} MiB on disk`}`,
      );

      const alone = await codecAlone(plan, codec);
      row.codecCompressUs = alone.compressUs;
      row.codecDecompressUs = alone.decompressUs;
      const problem = await verify(plan, topic, `${plan.prefix}${codec}-verify`);
      row.verified = problem ? `MISMATCH: ${problem}` : `all ${n} records byte-identical`;
      if (problem) {
        row.status = 'failed';
        errors.push(`${codec}: ${problem}`);
      }
      plan.log(`  check: ${row.verified}`);

      const runs: number[] = [];
      const cpus: number[] = [];
      for (let i = 0; i < plan.consumeRuns; i++) {
        const r = await runCodecConsumer(plan.brokers, topic, n, `${plan.prefix}${codec}-kafkajs-${i}`);
        const rps = r.count / Math.max(0.001, r.seconds);
        runs.push(rps);
        cpus.push((r.cpuSeconds * 1e6) / r.count);
        row.consumerPeakRssMb = r.peakRssMb;
        plan.log(
          `  kafkajs consume run ${i + 1}: ${Math.round(rps)} records/s over ${r.seconds.toFixed(2)} s, ${r.cpuSeconds.toFixed(2)} CPU s while consuming (${r.processCpuSeconds.toFixed(1)} s whole process)`,
        );
      }
      row.consumeRuns = runs;
      row.consumeRecordsPerSecond = median(runs);
      row.consumerCpuUsPerRecord = median(cpus);
      if (java) {
        try {
          const j = await runConsumerPerformance(plan.brokers, topic, n, `${plan.prefix}${codec}-jvm`);
          row.jvmRecordsPerSecond = j.eventsPerSecond;
          plan.log(
            `  ConsumerPerformance: ${Math.round(j.eventsPerSecond)} records/s (fetch time ${j.seconds.toFixed(2)} s)`,
          );
        } catch (err) {
          errors.push(`${codec} ConsumerPerformance: ${(err as Error).message}`);
        }
      }
    } catch (err) {
      row.status = 'failed';
      errors.push(`${codec}: ${(err as Error).message}`);
      plan.log(`  failed: ${(err as Error).message}`);
    }
  }
  const none = rows.find((r) => r.codec === 'none')?.diskBytes;
  for (const r of rows) if (none && r.diskBytes) r.ratio = none / r.diskBytes;
  return { rows, errors, topics };
}

const fmt = (v: number | undefined, digits = 0) =>
  v === undefined || Number.isNaN(v)
    ? '–'
    : v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

export function renderCodecs(rows: CodecRow[]): string {
  return [
    '| codec | written by | produce CPU µs/record | codec alone: compress / decompress µs/record | on disk MiB | ratio vs none | kafkajs consume records/s | values MiB/s | disk MiB/s | kafkajs consumer CPU µs/record | JVM ConsumerPerformance records/s | check | note |',
    '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|',
    ...rows.map((r) => {
      const rps = r.consumeRecordsPerSecond;
      const valuesMiBs = rps ? (rps * r.valueBytes) / r.records / MiB : undefined;
      const diskMiBs = rps && r.diskBytes ? (rps * r.diskBytes) / r.records / MiB : undefined;
      return `| ${r.codec}${r.codec === 'none' ? ' (ceiling: no decompression)' : ''} | ${r.producer} | ${fmt(r.produceCpuUsPerRecord, 1)} | ${r.codecCompressUs === undefined ? '–' : `${fmt(r.codecCompressUs, 2)} / ${fmt(r.codecDecompressUs, 2)}`} | ${r.diskBytes === undefined ? '–' : fmt(r.diskBytes / MiB, 1)} | ${fmt(r.ratio, 2)} | ${fmt(rps)} | ${fmt(valuesMiBs, 1)} | ${fmt(diskMiBs, 1)} | ${fmt(r.consumerCpuUsPerRecord, 1)} | ${fmt(r.jvmRecordsPerSecond)} | ${r.status === 'ok' ? (r.verified ?? 'ok') : r.status} | ${r.note ?? ''} |`;
    }),
  ].join('\n');
}
