import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProcessMonitor } from './proc.monitor';
import { ROOT } from './systems';

export interface CeilingResult {
  eventsPerSecond: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMb: number;
  note?: string;
}

const KAFKA_LIBS = join(ROOT, '.stack', 'kafka', 'libs');

function collect(
  child: ReturnType<typeof spawn>,
): Promise<{ code: number | null; out: string; err: string }> {
  let out = '';
  let err = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (err += c.toString()));
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, out, err })));
}

/**
 * Kafka's own consumer perf tool (kafka-tools, already in the broker's classpath). Its
 * fetch.nMsg.sec excludes the group join, like the other rows' "first progress to done".
 */
export async function runConsumerPerformance(
  brokers: string[],
  topic: string,
  messages: number,
  groupId: string,
): Promise<CeilingResult> {
  const child = spawn(
    'java',
    [
      '-Xmx512m',
      '-cp',
      `${KAFKA_LIBS}/*`,
      'org.apache.kafka.tools.ConsumerPerformance',
      '--bootstrap-server',
      brokers.join(','),
      '--topic',
      topic,
      '--messages',
      String(messages),
      '--group',
      groupId,
      '--timeout',
      '60000',
      // Fetch settings for a throughput read of many small records: large fetches and polls, and
      // fetch.min.bytes so the broker answers with full responses instead of per-batch ones.
      '--fetch-size',
      String(8 * 1024 * 1024),
      '--consumer.config',
      consumerPerfConfig(),
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const monitor = new ProcessMonitor(child.pid as number, 100);
  const { code, out, err } = await collect(child);
  const usage = monitor.stop();
  if (code !== 0) throw new Error(`ConsumerPerformance exited ${code}: ${err.slice(-2000)}`);
  // Header line then one CSV line: start.time, end.time, data.consumed.in.MB, MB.sec,
  // data.consumed.in.nMsg, nMsg.sec, rebalance.time.ms, fetch.time.ms, fetch.MB.sec, fetch.nMsg.sec
  const lines = out.trim().split('\n');
  const header = (lines.find((l) => l.includes('nMsg.sec')) ?? '').split(',').map((s) => s.trim());
  const values = (lines[lines.length - 1] ?? '').split(',').map((s) => s.trim());
  const get = (name: string) => Number(values[header.indexOf(name)]);
  const consumed = get('data.consumed.in.nMsg');
  if (!(consumed >= messages))
    throw new Error(`ConsumerPerformance consumed ${consumed} of ${messages}:\n${out}`);
  return {
    eventsPerSecond: get('fetch.nMsg.sec'),
    seconds: get('fetch.time.ms') / 1000,
    cpuSeconds: usage.cpuSeconds,
    peakRssMb: usage.peakRssMb,
    note: 'CPU sampled every 100 ms (the tool exits on its own)',
  };
}

function consumerPerfConfig(): string {
  const file = join(tmpdir(), `consumer-perf-${process.pid}.properties`);
  writeFileSync(
    file,
    [
      'fetch.min.bytes=1048576',
      'fetch.max.wait.ms=100',
      `fetch.max.bytes=${64 * 1024 * 1024}`,
      'max.poll.records=10000',
      `receive.buffer.bytes=${4 * 1024 * 1024}`,
      'isolation.level=read_committed',
    ].join('\n') + '\n',
  );
  return file;
}

/**
 * kcat (librdkafka) reading every partition from the beginning to its end. It prints one byte per
 * record (-f '.'), so the harness can check it read them all at no measurable cost. Timed from
 * spawn to exit: connect and metadata included, which on a local broker is a few milliseconds.
 */
export async function runKcat(brokers: string[], topic: string, messages: number): Promise<CeilingResult> {
  const started = Date.now();
  const child = spawn(
    'kcat',
    [
      '-C',
      '-b',
      brokers.join(','),
      '-t',
      topic,
      '-o',
      'beginning',
      '-e',
      '-q',
      '-f',
      '.',
      '-X',
      'fetch.wait.max.ms=100',
      '-X',
      `fetch.max.bytes=${64 * 1024 * 1024}`,
      '-X',
      'queued.min.messages=1000000',
      '-X',
      'isolation.level=read_committed',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const monitor = new ProcessMonitor(child.pid as number, 100);
  let bytes = 0;
  let err = '';
  child.stdout.on('data', (c: Buffer) => (bytes += c.length));
  child.stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', resolve);
  });
  const usage = monitor.stop();
  const seconds = Math.max(0.001, (Date.now() - started) / 1000);
  if (code !== 0) throw new Error(`kcat exited ${code}: ${err.slice(-2000)}`);
  if (bytes < messages) throw new Error(`kcat read ${bytes} of ${messages} records`);
  return {
    eventsPerSecond: bytes / seconds,
    seconds,
    cpuSeconds: usage.cpuSeconds,
    peakRssMb: usage.peakRssMb,
    note: 'CPU sampled every 100 ms',
  };
}

/** What bench/harness/plain-consumer.ts prints: see its header. */
export interface PlainConsumerOutput {
  count: number;
  firstAt: number;
  doneAt: number;
  cpuSeconds: number;
  cpuSecondsSinceJoin: number;
  peakRssMb: number;
}

/** Runs the plain consumer (counts records, nothing else) in its own process until `messages`. */
export async function runPlainConsumerProcess(
  brokers: string[],
  topic: string,
  messages: number,
  groupId: string,
): Promise<PlainConsumerOutput> {
  const child = spawn(
    process.execPath,
    [
      '-r',
      '@swc-node/register',
      join('bench', 'harness', 'plain-consumer.ts'),
      brokers.join(','),
      topic,
      groupId,
      String(messages),
    ],
    { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const { code, out, err } = await collect(child);
  if (code !== 0) throw new Error(`plain kafkajs consumer exited ${code}: ${err.slice(-2000)}`);
  return JSON.parse(out.trim().split('\n').pop() as string) as PlainConsumerOutput;
}

/** A kafkajs consumer counting records and nothing else, in its own process. */
export async function runPlainKafkajs(
  brokers: string[],
  topic: string,
  messages: number,
  groupId: string,
): Promise<CeilingResult> {
  const r = await runPlainConsumerProcess(brokers, topic, messages, groupId);
  const seconds = Math.max(0.001, (r.doneAt - r.firstAt) / 1000);
  return { eventsPerSecond: r.count / seconds, seconds, cpuSeconds: r.cpuSeconds, peakRssMb: r.peakRssMb };
}
