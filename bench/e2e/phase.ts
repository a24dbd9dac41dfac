import { loadavg } from 'node:os';
import { percentile } from '../alerting/stats';
import { setTimeout as sleep } from 'node:timers/promises';
import { readProc } from '../harness/proc.monitor';
import { outputTopics } from '../harness/systems';
import { appDeltas, readAppCounters, type AppCounters } from './app.metrics';
import { runLoad } from './load';
import { cores, cpuPressure } from './platform';
import { ProbeLedger, type Probe } from './probe.ledger';
import { runProber } from './prober';
import { saturationProblems } from './saturation';
import type { HopStats, PhaseContext, PhaseResult } from './phase.types';

const SINK_REDIS_GROUP = 'streammetrics-sink-redis';

function hop(values: number[]): HopStats {
  const mean = values.length ? values.reduce((s, v) => s + v, 0) / values.length : NaN;
  return {
    p50: percentile(values, 0.5),
    p95: percentile(values, 0.95),
    p99: percentile(values, 0.99),
    max: percentile(values, 1),
    mean,
  };
}

/**
 * One rate: the fleet load at `rate` events/s for warm-up + measure seconds, probes alongside,
 * the consumer lags of the processor and the sink sampled every second; then a drain for the last
 * probes. A rate counts as sustained only when the gateway acknowledged what was offered and
 * neither the processor nor the sink fell behind (saturationProblems).
 */
export async function runPhase(ctx: PhaseContext, rate: number): Promise<PhaseResult> {
  const { args, bk, prefix, platform, router, live, channel, floor, log } = ctx;
  const gapsFrom = router.emitGapsMs.length;
  const service = `e2e-probe-${ctx.runId}-${rate}`;
  const lanes = Array.from({ length: args.lanes }, (_, i) => ({
    service,
    metric: `bench.e2e.probe.${i}`,
    ledger: new ProbeLedger(args.batch),
  }));
  for (const lane of lanes) {
    router.add(lane);
    await live.subscribe(`${service}-${lane.metric}`, service, lane.metric);
  }

  const eventsTopic = `${prefix}metrics-events`;
  const aggTopics = outputTopics(prefix);
  const aggEnd = async () =>
    (await Promise.all(aggTopics.map((t) => bk.endOffsetTotal(t)))).reduce((a, b) => a + b, 0);
  const lags = async () => {
    const [evEnd, evDone, agEnd, agDone] = await Promise.all([
      bk.endOffsetTotal(eventsTopic),
      bk.committedTotal(ctx.processorGroup, eventsTopic),
      aggEnd(),
      Promise.all(aggTopics.map((t) => bk.committedTotal(SINK_REDIS_GROUP, t))).then((v) =>
        v.reduce((a, b) => a + b, 0),
      ),
    ]);
    return { processor: evEnd - evDone, sink: agEnd - agDone, aggregates: agEnd };
  };

  const totalSec = args.warmupSec + args.measureSec;
  const ingestUrl = `http://127.0.0.1:${platform.ports['ingest-gateway']}/api/v1/events`;
  const load = runLoad({
    url: ingestUrl,
    key: platform.keys.gateway,
    eventsPerSecond: rate,
    batch: args.batch,
    durationSec: totalSec,
    // autocannon keeps one request in flight per connection: enough of them that answers of up
    // to half a second still leave the offered rate open-loop (a fleet of clients, not one).
    connections: Math.max(32, Math.min(500, Math.ceil(rate / args.batch / 2))),
  });
  const loadBefore = loadavg();
  let measuring = false;
  let cpuStart = platform.sample();
  let harnessStart = { load: 0, bench: 0 };
  const counters = () =>
    readAppCounters(platform.ports['stream-processor'], platform.ports['aggregate-sink']).catch(
      () => undefined,
    );
  let countersStart: AppCounters | undefined;
  let aggStart = 0;
  let tMeasure = 0;
  const warm = sleep(args.warmupSec * 1000).then(async () => {
    cpuStart = platform.sample();
    harnessStart = { load: load.cpuSeconds(), bench: readProc(process.pid)?.cpuSeconds ?? NaN };
    aggStart = (await lags()).aggregates;
    countersStart = await counters();
    tMeasure = Date.now();
    channel.messages = 0;
    floor.record(true);
    measuring = true;
  });
  let maxLag = { processor: 0, sink: 0 };
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      await sleep(1_000);
      const l = await lags().catch(() => undefined);
      if (!l || !measuring) continue;
      maxLag = { processor: Math.max(maxLag.processor, l.processor), sink: Math.max(maxLag.sink, l.sink) };
    }
  })();
  const [summary, prober] = await Promise.all([
    load.done,
    runProber(lanes, {
      url: ingestUrl,
      key: platform.keys.gateway,
      intervalMs: args.probeIntervalMs,
      durationMs: totalSec * 1000,
      warmupMs: args.warmupSec * 1000,
    }),
    warm,
  ]);
  sampling = false;
  await sampler;
  const end = await lags();
  const seconds = (Date.now() - tMeasure) / 1000;
  const cpuEnd = platform.sample();
  const countersEnd = await counters();
  // What the measuring side costs on the same cores: the load generator and this process.
  const harnessCores = {
    loadtest: (load.cpuSeconds() - harnessStart.load) / seconds,
    bench: ((readProc(process.pid)?.cpuSeconds ?? NaN) - harnessStart.bench) / seconds,
  };
  const channelPerSec = channel.messages / seconds;
  floor.record(false);
  const aggregatesPerSec = (end.aggregates - aggStart) / seconds;

  // Drain: the probes of the last seconds still travel, and the backlog the load left (if any)
  // is worked off; how long that takes is the test of whether the rate was sustained.
  const sampled = () => lanes.flatMap((l) => l.ledger.sampled());
  const loadEnd = Date.now();
  const deadline = loadEnd + args.drainSec * 1000;
  let caughtUpSec: number | undefined;
  while (Date.now() < deadline) {
    if (caughtUpSec === undefined) {
      const l = await lags().catch(() => undefined);
      if (l && l.processor === 0 && l.sink === 0) caughtUpSec = (Date.now() - loadEnd) / 1000;
    }
    if (caughtUpSec !== undefined && sampled().every((p) => p.seen.ws !== undefined)) break;
    await sleep(250);
  }
  const probes = sampled();
  const reached = probes.filter((p): p is Probe & { ackAt: number } => p.seen.ws !== undefined);
  const total = reached.map((p) => (p.seen.ws as number) - p.sentAt);
  const full = reached.filter(
    (p) => p.seen.kafka !== undefined && p.seen.redis !== undefined && p.emittedAt !== undefined,
  );
  const hops = {
    ack: hop(full.map((p) => p.ackAt - p.sentAt)),
    emit: hop(full.map((p) => (p.seen.kafka as number) - p.ackAt)),
    emitWait: hop(full.map((p) => (p.emittedAt as number) - p.ackAt)),
    emitVisible: hop(full.map((p) => (p.seen.kafka as number) - (p.emittedAt as number))),
    sink: hop(full.map((p) => (p.seen.redis as number) - (p.seen.kafka as number))),
    ws: hop(full.map((p) => (p.seen.ws as number) - (p.seen.redis as number))),
  };
  const problems = saturationProblems({
    rate,
    load: summary,
    caughtUpSec,
    drainSec: args.drainSec,
    endLag: end,
    probes: probes.length,
    reached: reached.length,
  });

  const appCores = Object.fromEntries(
    Object.keys(cpuEnd).map((app) => [app, cores(cpuStart[app], cpuEnd[app], seconds)]),
  );
  log(
    `${rate} ev/s: ${problems.length ? `saturated (${problems.join('; ')})` : 'sustained'}; ` +
      `${reached.length}/${probes.length} probes, p99 ${percentile(total, 0.99)} ms`,
  );
  return {
    rate,
    sustained: problems.length === 0,
    problems,
    seconds,
    load: summary,
    probes: {
      sampled: probes.length,
      reached: reached.length,
      undecidable: lanes.reduce((n, l) => n + l.ledger.undecidable(), 0),
      slipped: prober.slipped,
      withEveryHop: full.length,
    },
    latency: hop(total),
    hops,
    lag: { end: { processor: end.processor, sink: end.sink }, max: maxLag },
    caughtUpSec,
    emitGapMs: hop(router.emitGapsMs.slice(gapsFrom)),
    apps: countersStart && countersEnd ? appDeltas(countersStart, countersEnd, seconds) : undefined,
    aggregatesPerSec,
    channelMessagesPerSec: channelPerSec,
    wsCoalesced: live.coalesced,
    cores: appCores,
    harnessCores,
    peakRssMb: Object.fromEntries(Object.entries(cpuEnd).map(([a, s]) => [a, s.peakRssMb])),
    loadavg: { before: loadBefore, after: loadavg() },
    cpuPressureAvg60: cpuPressure(),
  };
}
