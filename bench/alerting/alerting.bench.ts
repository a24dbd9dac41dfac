/**
 * `npm run bench:alerting [-- --quick]`: what alerting costs and how fast it tells.
 *  1. Evaluation alone (in process): the fleet's 1m window results against 0 (decode only: the
 *     ceiling), 1,000 and 10,000 rules.
 *  2. The alerting runtime end to end (real Kafka and PostgreSQL): the same records read from a
 *     topic, evaluated and committed with their offsets, next to a plain kafkajs consumer of the
 *     same topic (the ceiling).
 *  3. Detection latency: window emission → webhook delivery, with 1,000 other rules loaded, next
 *     to the plain consumer's produce → receipt time in the same run, and Prometheus' model.
 * Prints markdown tables, writes bench/results/alerting-<time>.json and alerting-latest.json.
 * Exits non-zero on errors, never on timings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { Client, Pool } from 'pg';
import { createKafka, provisionTopics } from '@streammetrics/kafka';
import { topicSpecs } from '@streammetrics/contracts';
import { migrate } from '@streammetrics/storage';
import { loadStackConfig } from '../../scripts/stack/stack.config';
import { stackUp } from '../../scripts/stack/stack.service';
import { runPlainKafkajs } from '../harness/ceiling';
import { machine } from '../harness/report';
import { measureEvaluation, type EvaluationRow } from './evaluation';
import { fleetRules, fleetWindows } from './fleet-windows';
import { measureDetection, measurePipeline, produce, replaceRules } from './pipeline';
import { prometheusModel } from './stats';

const ROOT = join(__dirname, '..', '..');
const quick = process.argv.includes('--quick');
const MINUTES = quick ? 10 : 60;
const RATE = 200;
const DETECT_SAMPLES = quick ? 20 : 60;
const log = (m: string) => process.stderr.write(`[bench:alerting] ${m}\n`);
const fmt = (v: number, d = 0) =>
  v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

async function benchDatabase(url: string): Promise<string> {
  const c = new Client({ connectionString: url });
  await c.connect();
  const exists = await c.query(`SELECT 1 FROM pg_database WHERE datname = 'streammetrics_bench'`);
  if (exists.rowCount === 0) await c.query('CREATE DATABASE streammetrics_bench');
  await c.end();
  const u = new URL(url);
  u.pathname = '/streammetrics_bench';
  return u.toString();
}

async function main(): Promise<void> {
  const at = new Date().toISOString();
  const ep = await stackUp(loadStackConfig(), log);
  // Its own database: the rules of `npm start` and of the tests never mix with the benchmark's.
  const databaseUrl = await benchDatabase(ep.databaseUrl);
  await migrate(databaseUrl);
  const pool = new Pool({ connectionString: databaseUrl, max: 2 });
  const kafka = createKafka({ brokers: ep.kafkaBrokers, clientId: 'bench-alerting' });
  const env = { kafka, brokers: ep.kafkaBrokers, databaseUrl, log };

  const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 24 * 3_600_000;
  log(`fleet window results: ${MINUTES} min at ${RATE} events/s`);
  const records = fleetWindows(MINUTES, RATE, start);
  const series = new Set(records.map((r) => `${r.serviceId}|${r.metricName}|${JSON.stringify(r.tags)}`)).size;
  log(`${records.length} window results over ${series} series`);
  const rules = (n: number) => fleetRules(n, records, 'http://127.0.0.1:9/unused');

  log('# part 1: evaluation alone');
  const evaluation: EvaluationRow[] = [
    measureEvaluation('decode only (ceiling)', [], records, 5),
    measureEvaluation('1,000 rules', rules(1_000), records, 5),
    measureEvaluation('10,000 rules', rules(10_000), records, 3),
  ];

  log('# part 2: the alerting runtime, Kafka → evaluation → PostgreSQL');
  const prefix = `bench-alerting-${Date.now().toString(36)}.`;
  await provisionTopics(kafka, topicSpecs(prefix), 1);
  const topic = `${prefix}metrics-aggregated-1m`;
  await produce(kafka, topic, records);
  const ceiling = await runPlainKafkajs(ep.kafkaBrokers, topic, records.length, `${prefix}plain`);
  const pipeline = [];
  for (const n of [1_000, 10_000]) {
    // Rules that never deliver: the receivers are not the point here, and a refused connection
    // fails fast, so the dispatcher's retries cost little.
    await replaceRules(pool, rules(n));
    const r = await measurePipeline(env, prefix, records, `${prefix}group-${n}`);
    pipeline.push({ rules: n, ...r });
  }

  log('# part 3: detection latency');
  const detection = await measureDetection(env, prefix, DETECT_SAMPLES, rules(1_000), pool);
  await pool.query(`DELETE FROM alert_rules`);
  await pool.end();
  const models = [
    { label: 'Prometheus model: scrape 15 s + evaluation 15 s', ...prometheusModel(15, 15, 0) },
    { label: '… + Alertmanager group_wait 30 s (its default)', ...prometheusModel(15, 15, 30) },
    {
      label: 'Prometheus defaults: scrape 1 m + evaluation 1 m + group_wait 30 s',
      ...prometheusModel(60, 60, 30),
    },
  ];

  const out = [
    `## Alerting (${records.length} fleet window results, ${series} series; ${quick ? 'quick' : 'full'} run)`,
    '',
    '| evaluation alone | rules | records/s | (rule, series) evaluations/s | transitions |',
    '|---|---:|---:|---:|---:|',
    ...evaluation.map(
      (e) =>
        `| ${e.label} | ${fmt(e.rules)} | ${fmt(e.recordsPerSecond)} | ${fmt(e.evaluationsPerSecond)} | ${fmt(e.transitions)} |`,
    ),
    '',
    '| Kafka → alerting → PostgreSQL | rules | records/s | seconds | notifications queued |',
    '|---|---:|---:|---:|---:|',
    `| plain kafkajs consumer (ceiling) | – | ${fmt(ceiling.eventsPerSecond)} | ${fmt(ceiling.seconds, 1)} | – |`,
    ...pipeline.map(
      (p) =>
        `| alerting runtime | ${fmt(p.rules)} | ${fmt(p.recordsPerSecond)} | ${fmt(p.seconds, 1)} | ${fmt(p.notifications)} |`,
    ),
    '',
    `| detection latency (${detection.samples} alerts, 1,000 other rules) | p50 ms | p99 ms |`,
    '|---|---:|---:|',
    `| emission → webhook delivered (alerting) | ${fmt(detection.alertingP50Ms, 1)} | ${fmt(detection.alertingP99Ms, 1)} |`,
    `| emission → received by a plain consumer (ceiling) | ${fmt(detection.kafkaP50Ms, 1)} | ${fmt(detection.kafkaP99Ms, 1)} |`,
    ...models.map((m) => `| ${m.label} (model, not measured) | ${fmt(m.p50Ms)} | ${fmt(m.p99Ms)} |`),
  ].join('\n');
  process.stdout.write(`${out}\n`);
  const result = {
    at,
    quick,
    machine: machine(''),
    loadavg: loadavg(),
    input: { records: records.length, series, minutes: MINUTES, rate: RATE },
    evaluation,
    pipeline: { ceiling, runs: pipeline },
    detection,
    models,
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(result, null, 2);
  writeFileSync(join(dir, `alerting-${at.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(dir, 'alerting-latest.json'), json);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log((err as Error).stack ?? String(err));
    process.exit(1);
  },
);
