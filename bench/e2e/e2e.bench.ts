/**
 * `npm run bench:e2e [-- --quick]`: end-to-end latency, HTTP POST → dashboard WebSocket update.
 * Starts the real pipeline as `npm start` does (ingest gateway, stream-processor, aggregate-sink,
 * query-api; GATEWAY_WORKERS=1 QUERY_WORKERS=1) on a fresh topic prefix, drives the gateway's
 * ingest route with `npm run loadtest` (fleet-model bodies, batch 10) at each rate, and sends
 * probes of a dedicated series alongside. Each probe's latency is its POST's send time → the first
 * WebSocket update of its 1m window whose count includes it; the same probe is timed at the gateway
 * ack, on the aggregated topic (a read_committed side consumer) and on the sink's pub/sub channel,
 * which splits the total into hops. A Kafka and a Redis hop with no application work, measured in
 * the same run, are the floor. A rate the pipeline does not sustain prints "saturated".
 * Prints markdown tables, writes bench/results/e2e-<time>.json and e2e-latest.json; exits non-zero
 * on errors, never on timings.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import type { Consumer } from 'kafkajs';
import { createKafka } from '@streammetrics/kafka';
import { loadProcessorConfig } from '../../apps/stream-processor/src/processor.config';
import { loadStackConfig } from '../../scripts/stack/stack.config';
import { localKeys, platformEnv } from '../../scripts/start/platform';
import { provisionAndMigrate, stackUp } from '../../scripts/stack/stack.service';
import { BenchKafka } from '../harness/bench.kafka';
import { machine } from '../harness/report';
import { E2E_USAGE, parseE2eArgs } from './e2e.args';
import { renderE2e, TARGET, targetVerdict } from './e2e.report';
import { startFloor } from './floor';
import { LiveClient, ProbeRouter, watchAggregatedTopic, watchUpdatesChannel } from './observers';
import { runPhase } from './phase';
import type { PhaseResult } from './phase.types';
import { startPlatform, type Platform } from './platform';

const ROOT = join(__dirname, '..', '..');
const log = (m: string) => process.stderr.write(`[bench:e2e] ${m}\n`);

async function main(): Promise<void> {
  if (process.argv.includes('--help')) {
    process.stdout.write(`${E2E_USAGE}\n`);
    return;
  }
  const args = parseE2eArgs(process.argv.slice(2));
  const at = new Date().toISOString();
  const t0 = Date.now();
  const cfg = loadStackConfig();
  const ep = await stackUp(cfg, log);
  const runId = Date.now().toString(36);
  // A fresh prefix and processor group per run: no backlog or state of an earlier run.
  const prefix = `bench-e2e-${runId}.`;
  const processorGroup = `${prefix}processors`;
  await provisionAndMigrate(ep, cfg.KAFKA_REPLICATION_FACTOR, log, prefix);
  const kafka = createKafka({ brokers: ep.kafkaBrokers, clientId: 'bench-e2e' });
  const bk = new BenchKafka(kafka);
  await bk.connect();
  const floorTopic = `${prefix}e2e-floor`;
  await bk.createTopics([{ topic: floorTopic, partitions: 1, config: {} }]);

  const overrides: Record<string, string> = {
    TOPIC_PREFIX: prefix,
    PROCESSOR_GROUP_ID: processorGroup,
    GATEWAY_WORKERS: '1',
    QUERY_WORKERS: '1',
    // As the other benchmarks run the apps: a log line per request is not what is measured.
    LOG_LEVEL: 'warn',
    DASHBOARD_BUILD_ON_START: 'false',
    // The bootstrap key's default budget (10,000 events/s) would turn the top rate into 429s.
    GATEWAY_DEFAULT_RATE: '10000000',
    ...(args.emitIntervalMs !== undefined ? { EMIT_INTERVAL_MS: String(args.emitIntervalMs) } : {}),
  };
  // The emit interval the processor will run with, read by its own configuration loader.
  const emit = loadProcessorConfig(
    platformEnv(ep, localKeys(), { ...process.env, ...overrides }),
  ).EMIT_INTERVAL_MS;
  let platform: Platform | undefined;
  let side: Consumer | undefined;
  let live: LiveClient | undefined;
  let floor: Awaited<ReturnType<typeof startFloor>> | undefined;
  let stopChannel = () => undefined as void;
  const phases: PhaseResult[] = [];
  try {
    log(`starting the pipeline (prefix ${prefix})`);
    platform = await startPlatform(ep, overrides, log);
    const router = new ProbeRouter();
    side = await watchAggregatedTopic(
      kafka,
      `${prefix}metrics-aggregated-1m`,
      `${prefix}side-reader`,
      router,
    );
    const channel = await watchUpdatesChannel(ep.redisUrl, router);
    stopChannel = () => channel.redis.disconnect();
    live = await LiveClient.connect(
      `ws://127.0.0.1:${platform.ports['query-api']}/api/v1/live`,
      platform.keys.dashboard,
      router,
    );
    floor = await startFloor(kafka, floorTopic, ep.redisUrl, args.probeIntervalMs);
    const ctx = {
      args,
      runId,
      prefix,
      processorGroup,
      bk,
      platform,
      router,
      live,
      channel: channel.stats,
      floor,
      log,
    };
    for (const rate of args.rates) {
      log(`${rate} events/s: ${args.warmupSec} s warm-up, ${args.measureSec} s measured`);
      phases.push(await runPhase(ctx, rate));
      const dead = platform.apps.find((a) => a.exit);
      if (dead) throw new Error(`${dead.name} exited during the run:\n${dead.output()}`);
    }
  } finally {
    live?.close();
    stopChannel();
    await side?.disconnect().catch(() => undefined);
    await floor?.stop().catch(() => undefined);
    await platform?.stop();
    await bk.deleteTopicsWithPrefix(prefix).catch(() => undefined);
    await bk.close();
  }
  const out = [
    `## End to end: HTTP POST → WebSocket update (${args.quick ? 'quick' : 'full'} run, ${args.measureSec} s per rate, batch ${args.batch}, a probe every ${args.probeIntervalMs} ms)`,
    '',
    renderE2e(phases, floor?.samples ?? { kafka: [], redis: [] }, emit),
  ].join('\n');
  process.stdout.write(`${out}\n`);
  const result = {
    at,
    quick: args.quick,
    args,
    machine: machine(''),
    loadavg: loadavg(),
    config: { ...overrides, EMIT_INTERVAL_MS: emit },
    target: { ...TARGET, verdict: targetVerdict(phases) },
    phases,
    floor: floor?.samples,
    totalSeconds: (Date.now() - t0) / 1000,
  };
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const json = JSON.stringify(result, null, 2);
  writeFileSync(join(dir, `e2e-${at.replace(/[:.]/g, '-')}.json`), json);
  writeFileSync(join(dir, 'e2e-latest.json'), json);
  log(`done in ${Math.round((Date.now() - t0) / 1000)} s`);
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    log((err as Error).stack ?? String(err));
    process.exit(1);
  },
);
