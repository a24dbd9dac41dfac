/*
 * `npm run bench`: StreamMetrics side by side with a Kafka Streams peer and Kafka's own consume
 * ceiling, on one pre-generated input topic of the same local broker (bench/harness/).
 *   npm run bench                    2M events, 3 runs per system, latency at 5,000 ev/s for 60 s
 *   npm run bench -- --quick         200k events, 1 run per system, latency for 15 s (CI smoke run)
 *   npm run bench -- --only gateway  another bench: gateway | processor | sink | query | tdigest
 * Options: --events N, --reps N, --latency-rate R, --latency-duration 60s, --write-docs, --keep-topics,
 *   --systems ours,peer (run only these; the ceilings always run), --peers-from <harness json> (rows
 *   of the systems not run, from an earlier run of the same plan, labelled with that run's id).
 * A system's figures are the median (and range) of its runs; its throughput is taken over a
 * steady-state window (>= 30 s in the full run, 5 s in quick mode); its latency only when it
 * sustains the latency rate, else "saturated".
 * Prints a markdown table, writes bench/results/harness-<time>.json and harness-latest.json (and
 * docs/BENCHMARKS.md on full runs or with --write-docs). Exits non-zero on errors and on outputs
 * that differ from the exact computation — never because something was slow.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { topicSpecs } from '@streammetrics/contracts';
import { createKafka } from '@streammetrics/kafka';
import { parseDuration } from '@streammetrics/fleet';
import { BenchKafka } from './harness/bench.kafka';
import { runConsumerPerformance, runKcat, runPlainKafkajs, type CeilingResult } from './harness/ceiling';
import type { EqualWorkReport } from './harness/equal-work';
import { prepareInput, type InputPlan } from './harness/input';
import type { LatencyPlan } from './harness/latency';
import { machine, renderTable, type Row } from './harness/report';
import { measureSystem, type MeasurePlan } from './harness/system.measure';
import { ROOT, SYSTEMS, outputTopics } from './harness/systems';
import { loadStackConfig } from '../scripts/stack/stack.config';
import { stackUp } from '../scripts/stack/stack.service';

const OTHER_BENCHES = ['gateway', 'processor', 'sink', 'query', 'tdigest', 'decode'];
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Args {
  quick: boolean;
  only?: string;
  events?: number;
  reps?: number;
  latencyRate: number;
  latencyDurationMs?: number;
  writeDocs: boolean;
  keepTopics: boolean;
  systems?: string[];
  peersFrom?: string;
}

function parseArgs(argv: string[]): Args {
  const a: Args = { quick: false, latencyRate: 5000, writeDocs: false, keepTopics: false };
  for (let i = 0; i < argv.length; i++) {
    const f = argv[i];
    const v = () => argv[++i] ?? '';
    if (f === '--quick') a.quick = true;
    else if (f === '--only') a.only = v();
    else if (f === '--events') a.events = Number(v());
    else if (f === '--reps') a.reps = Number(v());
    else if (f === '--latency-rate') a.latencyRate = Number(v());
    else if (f === '--latency-duration') a.latencyDurationMs = parseDuration(v());
    else if (f === '--write-docs') a.writeDocs = true;
    else if (f === '--keep-topics') a.keepTopics = true;
    else if (f === '--systems') a.systems = v().split(',');
    else if (f === '--peers-from') a.peersFrom = v();
    else throw new Error(`unknown option ${f}`);
  }
  return a;
}

/** Runs another engineer's bench through its npm script, or says it is not there yet. */
function runOtherBench(name: string, quick: boolean): number {
  const scripts = (
    JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
  ).scripts;
  if (!scripts[`bench:${name}`]) {
    log(`bench:${name} is not available yet (no npm script); skipped`);
    return 0;
  }
  const r = spawnSync('npm', ['run', `bench:${name}`, ...(quick ? ['--', '--quick'] : [])], {
    cwd: ROOT,
    stdio: 'inherit',
  });
  return r.status ?? 1;
}

async function main(): Promise<number> {
  const args = parseArgs(process.argv.slice(2));
  if (args.only && args.only !== 'harness') {
    const names = args.only.split(',');
    const unknown = names.filter((n) => !OTHER_BENCHES.includes(n));
    if (unknown.length > 0)
      throw new Error(`--only: unknown ${unknown.join(', ')} (use harness, ${OTHER_BENCHES.join(', ')})`);
    return names.reduce((worst, n) => Math.max(worst, runOtherBench(n, args.quick)), 0);
  }

  const unknownSystems = (args.systems ?? []).filter((id) => !SYSTEMS.some((s) => s.id === id));
  if (unknownSystems.length > 0)
    throw new Error(
      `--systems: unknown ${unknownSystems.join(', ')} (use ${SYSTEMS.map((s) => s.id).join(', ')})`,
    );
  const peersFrom = args.peersFrom
    ? (JSON.parse(readFileSync(args.peersFrom, 'utf8')) as {
        runId: string;
        rows: Row[];
        equalWork: EqualWorkReport[];
      })
    : undefined;
  const stack = await stackUp(loadStackConfig(), (m) => log(`[stack] ${m}`));
  const brokers = stack.kafkaBrokers;
  const quick = args.quick;
  const plan: InputPlan = {
    events: args.events ?? (quick ? 200_000 : 2_000_000),
    spanMs: (quick ? 10 : 30) * 60_000,
    services: 20,
    seed: 42,
    late: 0.01,
    outOfOrder: 0.05,
    graceMs: 10_000,
  };
  const latencyPlan: LatencyPlan = {
    rate: args.latencyRate,
    durationMs: args.latencyDurationMs ?? (quick ? 15_000 : 60_000),
    warmupMs: quick ? 5_000 : 10_000,
    services: 20,
    seed: 7,
  };
  const measure: MeasurePlan = {
    reps: args.reps ?? (quick ? 1 : 3),
    capMs: quick ? 120_000 : 900_000,
    steady: quick ? { warmupMs: 2_000, minWindowMs: 5_000 } : { warmupMs: 10_000, minWindowMs: 30_000 },
    latency: latencyPlan,
    maxUnmatchedShare: 0.01,
  };
  const runsLabel =
    measure.reps === 1 ? `1 run${quick ? ' (quick)' : ''}` : `median (min–max) of ${measure.reps} runs`;
  const windowLabel = `from ${measure.steady.warmupMs / 1000} s after a run's first committed progress to its last record committed, at least ${measure.steady.minWindowMs / 1000} s${quick ? ' (quick mode: shorter than the full run’s 30 s)' : ''}; "short" where the input ran out first and the whole progress was used`;
  const runId = new Date().toISOString().replace(/[:.]/g, '-');
  const prefix = `bench-${Date.now()}-`;
  const bk = new BenchKafka(createKafka({ brokers, clientId: 'bench-harness' }));
  await bk.connect();
  const rows: Row[] = [];
  const errors: string[] = [];
  const equalWork: EqualWorkReport[] = [];
  const started = Date.now();
  try {
    log(`# StreamMetrics bench (${quick ? 'quick' : 'full'}), prefix ${prefix}`);
    const specs = topicSpecs(prefix);
    for (const topic of SYSTEMS.flatMap((s) => outputTopics(s.outputPrefix({ prefix })))) {
      if (!specs.some((t) => t.topic === topic)) specs.push({ topic, partitions: 3, config: {} });
    }
    await bk.createTopics(specs);
    log(
      `## input: ${plan.events} events, ${plan.services} services, late ${plan.late}, out-of-order ${plan.outOfOrder}`,
    );
    const input = await prepareInput(bk, brokers, prefix, plan, log);
    log(
      `input ready in ${input.generateSeconds.toFixed(1)} s: ${input.records} records, ${input.reference.size} closed windows expected, ${input.referenceLate} events late for every window`,
    );

    const ceilings: [string, string, () => Promise<CeilingResult>][] = [
      [
        'ceiling-kcat',
        'ceiling: kcat (librdkafka) to /dev/null',
        () => runKcat(brokers, input.topic, input.records),
      ],
      [
        'ceiling-java',
        'ceiling: Kafka ConsumerPerformance',
        () => runConsumerPerformance(brokers, input.topic, input.records, `${prefix}ceiling-java`),
      ],
      [
        'ceiling-kafkajs',
        'ceiling: plain kafkajs consumer',
        () => runPlainKafkajs(brokers, input.topic, input.records, `${prefix}ceiling-kafkajs`),
      ],
    ];
    for (const [id, label, fn] of ceilings) {
      log(`## ${label}`);
      if (id === 'ceiling-kcat' && spawnSync('kcat', ['-V']).error) {
        // Not an error: the row says what to install (apt-get install -y kcat).
        rows.push({
          id,
          label,
          status: 'not available',
          note: 'kcat not installed (apt-get install -y kcat)',
        });
        continue;
      }
      try {
        const r = await fn();
        rows.push({ id, label, status: 'ok', ...r });
      } catch (err) {
        errors.push(`${label}: ${(err as Error).message}`);
        rows.push({ id, label, status: 'failed', note: 'see errors' });
      }
    }

    for (const system of SYSTEMS) {
      if (args.systems && !args.systems.includes(system.id)) {
        const earlier = peersFrom?.rows.find((r) => r.id === system.id);
        if (earlier) {
          rows.push({
            ...earlier,
            note: [earlier.note, `from run ${peersFrom?.runId}`].filter(Boolean).join('; '),
          });
          equalWork.push(...(peersFrom?.equalWork ?? []).filter((e) => e.system === system.id));
        }
        continue;
      }
      log(`## ${system.label}`);
      const why = system.unavailable() ?? system.prepare();
      if (why) {
        log(`  ${why}`);
        rows.push({ id: system.id, label: system.label, status: 'not available', note: why.split('\n')[0] });
        continue;
      }
      const m = await measureSystem(
        bk,
        system,
        { brokers, prefix, graceMs: plan.graceMs, commitIntervalMs: 100, emitIntervalMs: 100 },
        { topic: input.topic, records: input.records, reference: input.reference },
        measure,
        log,
      );
      rows.push(m.row);
      equalWork.push(...m.equalWork);
      errors.push(...m.errors);
    }
  } finally {
    if (!args.keepTopics) await bk.deleteTopicsWithPrefix(prefix).catch(() => undefined);
    await bk.close();
  }

  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const result = {
    runId,
    mode: quick ? 'quick' : 'full',
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    machine: machine((java.stderr ?? '').split('\n')[0] ?? 'unknown'),
    loadAverage: readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' '),
    plan,
    latencyPlan,
    measure,
    rows,
    equalWork: equalWork.map((e) => ({ ...e, wrong: e.wrong.slice(0, 50), missing: e.missing.slice(0, 50) })),
    errors,
    seconds: (Date.now() - started) / 1000,
  };
  const table = renderTable(rows, runsLabel, windowLabel);
  log(`\n${table}\n`);
  // Ours and the tuned peer (the same algorithm) must match the exact windows, or the run fails.
  // The typical-code peer is what many users run: a mismatch of its output is a finding to report
  // (its row says so and it leaves the ratios), not a failure of the run.
  const mismatches = equalWork.filter((e) => !e.ok && e.system !== 'peer-naive');
  log(
    equalWork.length === 0
      ? 'equal work: nothing to compare'
      : `equal work: ${equalWork.map((e) => `${e.system}${e.run ? ` run ${e.run}` : ''} ${e.ok ? 'exact' : 'MISMATCH'} (${e.matched}/${e.expectedWindows}, ${(e.updatesPerEvent ?? 0).toFixed(3)} updates/event)`).join(', ')}`,
  );
  for (const e of errors) log(`ERROR ${e}`);
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(result, null, 2) + '\n';
  writeFileSync(join(dir, `harness-${runId}.json`), json);
  writeFileSync(join(dir, 'harness-latest.json'), json);
  if (!quick || args.writeDocs)
    writeHarnessSection(join(ROOT, 'docs', 'BENCHMARKS.md'), benchmarksDoc(result, table));
  log(`wrote bench/results/harness-${runId}.json in ${result.seconds.toFixed(0)} s`);
  return errors.length > 0 || mismatches.length > 0 ? 1 : 0;
}

const BEGIN = '<!-- harness:begin (bench/run.ts rewrites this section) -->';
const END = '<!-- harness:end -->';

/** Replaces only the harness's own section of the doc; the other benches' sections stay as written. */
function writeHarnessSection(path: string, section: string): void {
  const doc = readFileSync(path, 'utf8');
  const a = doc.indexOf(BEGIN);
  const b = doc.indexOf(END);
  const body = `${BEGIN}\n${section}${END}`;
  if (a >= 0 && b > a) writeFileSync(path, doc.slice(0, a) + body + doc.slice(b + END.length));
  else writeFileSync(path, `${doc.trimEnd()}\n\n${body}\n`);
}

function benchmarksDoc(
  r: {
    runId: string;
    command: string;
    machine: ReturnType<typeof machine>;
    loadAverage: string;
    mode: string;
    plan: InputPlan;
    latencyPlan: LatencyPlan;
    measure: MeasurePlan;
    equalWork: EqualWorkReport[];
  },
  table: string,
): string {
  const eq = r.equalWork.length
    ? r.equalWork
        .map(
          (e) =>
            `- ${e.system}${e.run ? ` run ${e.run}` : ''}: ${e.ok ? 'exact' : 'MISMATCH'} — ${e.matched}/${e.expectedWindows} closed windows with equal count and sum; wrong ${e.wrong.length}, missing ${e.missing.length}, duplicated ${e.duplicated.length}, unexpected ${e.unexpected}; ${e.updates ?? '–'} interim updates (${(e.updatesPerEvent ?? 0).toFixed(3)} per input event)${e.note ? `; ${e.note}` : ''}`,
        )
        .join('\n')
    : '- nothing compared';
  return `## Side by side: stream processors and ceilings (${r.mode}, ${r.runId})

Command: \`${r.command}\`

Machine: ${r.machine.nproc} CPUs (${r.machine.cpuModel}), ${r.machine.memoryGiB} GiB, Node ${r.machine.node}, ${r.machine.java}; load average at the end ${r.loadAverage}.

Input: ${r.plan.events.toLocaleString('en-US')} events from \`libs/fleet\` (${r.plan.services} services, seed ${r.plan.seed}, late ${r.plan.late}, out of order ${r.plan.outOfOrder}) over ${r.plan.spanMs / 60_000} min of event time, 6 partitions, grace ${r.plan.graceMs} ms. Latency: live at ${r.latencyPlan.rate.toLocaleString('en-US')} ev/s for ${r.latencyPlan.durationMs / 1000} s, first ${r.latencyPlan.warmupMs / 1000} s not sampled.

${table}

Equal work (finals of each system against the exact computation over the input topic):
${eq}

### Method

- One input topic, written once by the fleet simulator (backfilled event time), plus one flush
  event per partition stamped after the longest window + grace, so every data window closes on
  stream time alone. Every system reads that same topic with a fresh group.
- Ceilings, each in its own process over the same topic: kcat (librdkafka) to /dev/null; Kafka's
  \`ConsumerPerformance\` with large fetches and polls (its fetch.nMsg.sec, which leaves out the
  group join); a kafkajs consumer that only counts (eachBatch), the one plain-consumer definition
  every benchmark shares (\`bench/harness/plain-consumer.ts\`).
- Kafka Streams peers (\`bench/peers/kafka-streams\`, 3.9.1, exactly_once_v2, commit.interval.ms 100,
  MergingDigest(100)). Tuned: a Processor API job over 10 s slices like ours (one digest insert per
  event, windows merged from slices at emission, an in-memory store changelogged once per dirty
  slice per commit, no record cache), one stream thread per core, large polls and fetches,
  producer batches of 256 KiB with linger 5 ms, a fixed 2 GiB G1 heap touched at start. Typical
  code: the windowed aggregate as it is usually written, the whole digest through a RocksDB store
  and its serde on every update, one thread, default clients. StreamMetrics runs with
  COMMIT_INTERVAL_MS = EMIT_INTERVAL_MS = 100 so every system emits interim updates every 100 ms and
  one final per window at close.
- Runs: each system runs ${r.measure.reps} time(s) over the same input with a fresh group; the table shows the
  median and, for more than one run, the range (min–max). Quick mode runs once, labelled so.
- Flink peer: \`bench/peers/flink\` (Apache Flink 2.2.0 on a local MiniCluster, window assigners with a
  t-digest AggregateFunction, a trigger for interim updates every 100 ms plus the final, EXACTLY_ONCE
  checkpoints every 100 ms into a transactional KafkaSink). Its watermark is the minimum over the
  input partitions, so its finals are checked by \`bench/harness/watermark.equal-work.ts\`: exact
  wherever it counted what per-partition stream time counts, elsewhere bounded by the events that
  rule drops (its row says how many windows); see the Apache Flink section above.
- Sustained events/s: committed offsets of the system's group, polled every 200 ms; records
  committed within the steady-state window (from ${r.measure.steady.warmupMs / 1000} s after the first sample showing
  progress to the one showing all, at least ${r.measure.steady.minWindowMs / 1000} s; start-up, group join and warm-up
  excluded), over its length; the window column says how long it was. CPU seconds (user + system,
  /proc/<pid>/stat) and peak RSS (VmHWM) cover the whole run of the process; CPU µs/event is over
  every input record.
- Latency: produce (batch handed to the producer) → arrival at a read_committed consumer of the first
  1m tumbling rollup record whose count includes the event; same definition for every system.
  Measured only for a system whose median sustained rate is at least the latency rate, and
  reported only when at most 1% of the live events lack an output after the drain; otherwise the
  row says \`saturated\` (its figures would be queueing, not latency).
- Interim updates: the update records (not finals) each run wrote, per input event. The emit
  throttles run on the wall clock, so systems of different speed write different numbers of them;
  the figure is informational, except that a system writing none fails the equal-work check.
- Equal work: the harness reads the input back and computes every closed window exactly (stream time
  per input partition, accepted while stream time < end + grace, series plus rollup). Each system's
  finals must match it: one final per window, count, min and max equal, sums equal to 1e-9
  relative, and for the 1m windows p50/p95/p99 within 2% of their exact rank (an answer between two
  adjacent values of the window ranks as either). The bench exits
  non-zero on an error or a mismatch of StreamMetrics or the tuned peer, never on slowness; the
  typical-code peer's row says \`mismatch\` when its output fails the check, and it leaves the ratios.
`;
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    process.stderr.write(`bench failed: ${err.stack ?? err.message}\n`);
    process.exit(1);
  },
);
