/**
 * `npm run bench:decode [-- --quick]`: what reading a stock producer's records costs.
 *  1. Value formats, in process: decode + validate per record for plain JSON, Confluent-framed JSON
 *     Schema and Confluent-framed Avro (schemas in the stack's registry), ours against the official
 *     client @kafkajs/confluent-schema-registry and, for plain JSON, bare JSON.parse.
 *  2. Record-batch codecs, through the local broker: none, gzip, snappy, lz4 (zstd where this
 *     runtime can write it, else written by Kafka's console producer), consumed by a plain kafkajs
 *     consumer and by Kafka's ConsumerPerformance; bytes on disk and compression ratio.
 * Full: 200k events; --quick: 50k. Prints markdown tables, writes bench/results/decode-<time>.json
 * and decode-latest.json. Exits non-zero on errors or outputs that differ, never on timings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createKafka, ZSTD_WRITABLE } from '@streammetrics/kafka';
import { loadStackConfig } from '../../scripts/stack/stack.config';
import { stackUp } from '../../scripts/stack/stack.service';
import { machine } from '../harness/report';
import { measureCodecs, renderCodecs, type CodecRow } from './codecs';
import { generateEvents } from './events';
import { measureFormats, renderFormats, type FormatRow } from './formats';

const ROOT = join(__dirname, '..', '..');
const quick = process.argv.includes('--quick');
const EVENTS = quick ? 50_000 : 200_000;
const RUNS = 5;
const log = (m: string) => process.stderr.write(`[bench:decode] ${m}\n`);

async function main(): Promise<number> {
  const started = Date.now();
  const at = new Date().toISOString();
  const ep = await stackUp(loadStackConfig(), log);
  const errors: string[] = [];

  log(`generating ${EVENTS} fleet events (seed 42)`);
  const events = generateEvents(EVENTS);

  log(`# part 1: value formats, ${EVENTS} records, median of ${RUNS} runs`);
  const formats: { rows: FormatRow[]; errors: string[] } = await measureFormats({
    events,
    registryUrl: ep.schemaRegistryUrl,
    runs: RUNS,
    warmups: quick ? 1 : 2,
    log,
  });
  errors.push(...formats.errors);

  log(`# part 2: codecs through the broker, ${EVENTS} records each`);
  const prefix = `bench-decode-${Date.now().toString(36)}-`;
  const kafka = createKafka({ brokers: ep.kafkaBrokers, clientId: 'bench-decode' });
  const admin = kafka.admin();
  await admin.connect();
  let codecs: CodecRow[] = [];
  try {
    const r = await measureCodecs(
      {
        kafka,
        brokers: ep.kafkaBrokers,
        prefix,
        keys: events.map((e) => e.serviceId),
        values: events.map((e) => Buffer.from(JSON.stringify(e))),
        ids: events.map((e) => e.eventId),
        consumeRuns: quick ? 1 : 3,
        log,
      },
      admin,
    );
    codecs = r.rows;
    errors.push(...r.errors);
  } finally {
    const topics = (await admin.listTopics().catch(() => [] as string[])).filter((t) => t.startsWith(prefix));
    if (topics.length > 0)
      await admin
        .deleteTopics({ topics, timeout: 30_000 })
        .catch((err: Error) => log(`delete topics: ${err.message}`));
    await admin.disconnect();
  }

  const m = machine(
    (spawnSync('java', ['-version'], { encoding: 'utf8' }).stderr ?? '').split('\n')[0] ?? 'none',
  );
  const formatsTable = renderFormats(formats.rows);
  const codecsTable = renderCodecs(codecs);
  const machineLine = `Machine: ${m.nproc} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, ${m.java}; load average ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (shared: numbers are provisional).`;
  process.stdout.write(
    `\n### Value formats: ${EVENTS.toLocaleString('en-US')} records, decode + validate, median of ${RUNS} runs\n\n${formatsTable}\n` +
      `\n### Record-batch codecs: ${EVENTS.toLocaleString('en-US')} plain-JSON records per topic, 6 partitions, batches of 1000 records, kafkajs consume median of ${quick ? 1 : 3} run(s)\n\n${codecsTable}\n` +
      `\nzstd writable by this runtime (ZSTD_WRITABLE): ${ZSTD_WRITABLE}.\n${machineLine}\n`,
  );
  for (const e of errors) process.stdout.write(`ERROR ${e}\n`);

  const result = {
    bench: 'decode',
    at,
    quick,
    events: EVENTS,
    runs: RUNS,
    zstdWritable: ZSTD_WRITABLE,
    machine: { ...m, loadavg: loadavg() },
    formats: formats.rows,
    codecs,
    errors,
    seconds: (Date.now() - started) / 1000,
  };
  const out = join(ROOT, 'bench', 'results');
  mkdirSync(out, { recursive: true });
  const json = JSON.stringify(result, null, 2) + '\n';
  writeFileSync(join(out, `decode-${at.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(out, 'decode-latest.json'), json);
  log(`wrote bench/results/decode-${at.replace(/[:.]/g, '-')}.json in ${result.seconds.toFixed(0)} s`);
  return errors.length > 0 ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`[bench:decode] ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
