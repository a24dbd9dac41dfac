import { cpus } from 'node:os';
import { percentile } from '../alerting/stats';
import type { FloorSamples } from './floor';
import type { HopStats, PhaseResult } from './phase.types';

/** The target of issue 17: POST → dashboard update p99 within 200 ms at 10,000 events/s. */
export const TARGET = { rate: 10_000, p99Ms: 200 };

const fmt = (v: number | undefined, d = 0) =>
  v === undefined || Number.isNaN(v)
    ? '–'
    : v.toLocaleString('en-US', { maximumFractionDigits: d, minimumFractionDigits: d });

const la = (l: number[]) => l.map((x) => x.toFixed(2)).join(' / ');

export function targetVerdict(phases: PhaseResult[]): string {
  const p = phases.find((x) => x.rate === TARGET.rate);
  if (!p) return `target p99 <= ${TARGET.p99Ms} ms at ${fmt(TARGET.rate)} events/s: not measured in this run`;
  if (!p.sustained)
    return `target p99 <= ${TARGET.p99Ms} ms at ${fmt(TARGET.rate)} events/s: not reached (saturated: ${p.problems.join('; ')})`;
  return `target p99 <= ${TARGET.p99Ms} ms at ${fmt(TARGET.rate)} events/s: ${p.latency.p99 <= TARGET.p99Ms ? 'met' : 'not reached'} (p99 ${fmt(p.latency.p99)} ms)`;
}

const share = (h: HopStats, total: number) => (total > 0 ? `${fmt((100 * h.mean) / total)} %` : '–');

/** The markdown tables the run prints (and docs/BENCHMARKS.md quotes). */
export function renderE2e(phases: PhaseResult[], floor: FloorSamples, emitIntervalMs: number): string {
  const lines = [
    '| offered events/s | acknowledged events/s | POST → WS p50 ms | p95 ms | p99 ms | max ms | probes | load avg (1 min) before / after |',
    '|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const p of phases) {
    const lat = p.sustained
      ? [p.latency.p50, p.latency.p95, p.latency.p99, p.latency.max].map((v) => fmt(v))
      : ['saturated', 'saturated', 'saturated', 'saturated'];
    lines.push(
      `| ${fmt(p.rate)} | ${fmt(p.load.eventsPerSec)} | ${lat.join(' | ')} | ${p.probes.reached}/${p.probes.sampled} | ${p.loadavg.before[0]?.toFixed(2)} / ${p.loadavg.after[0]?.toFixed(2)} |`,
    );
  }
  lines.push(
    '',
    '| offered events/s | hop | p50 ms | p95 ms | p99 ms | max ms | share of mean total |',
    '|---:|---|---:|---:|---:|---:|---:|',
  );
  for (const p of phases) {
    if (!p.sustained) {
      // Hop times of a rate that is not sustained measure the queue; they stay in the JSON.
      lines.push(`| ${fmt(p.rate)} | every hop | saturated | saturated | saturated | saturated | – |`);
      continue;
    }
    const total = p.hops.ack.mean + p.hops.emit.mean + p.hops.sink.mean + p.hops.ws.mean;
    const rows: [string, HopStats][] = [
      ['gateway ack (POST → 2xx)', p.hops.ack],
      [
        `processor emit (2xx → on metrics-aggregated-1m, read_committed; EMIT_INTERVAL_MS ${fmt(emitIntervalMs)})`,
        p.hops.emit,
      ],
      ["… of which 2xx → the record's emittedAt (in the processor: emit throttle, work)", p.hops.emitWait],
      ['… of which emittedAt → read_committed reader has it (transaction commit, fetch)', p.hops.emitVisible],
      ['sink write (topic → Redis pub/sub message)', p.hops.sink],
      ['pub/sub → WebSocket update (query API)', p.hops.ws],
    ];
    for (const [label, h] of rows)
      lines.push(
        `| ${fmt(p.rate)} | ${label} | ${fmt(h.p50)} | ${fmt(h.p95)} | ${fmt(h.p99)} | ${fmt(h.max)} | ${share(h, total)} |`,
      );
    lines.push(
      `| ${fmt(p.rate)} | (emit cadence: time between interim records of one probe window) | ${fmt(p.emitGapMs.p50)} | ${fmt(p.emitGapMs.p95)} | ${fmt(p.emitGapMs.p99)} | ${fmt(p.emitGapMs.max)} | |`,
    );
  }
  lines.push(
    '',
    '| offered events/s | status | gateway p99 ms (load) | processor lag end / max | sink lag end / max | caught up after load s | aggregates/s | pub/sub msgs/s (all sinks) | CPU cores gateway / processor / sink / query | CPU cores loadtest / bench |',
    '|---:|---|---:|---:|---:|---:|---:|---:|---|---|',
  );
  for (const p of phases) {
    const c = p.cores;
    lines.push(
      `| ${fmt(p.rate)} | ${p.sustained ? 'sustained' : `saturated — ${p.problems.join('; ')}`} | ${fmt(p.load.latencyMs.p99)} | ${fmt(p.lag.end.processor)} / ${fmt(p.lag.max.processor)} | ${fmt(p.lag.end.sink)} / ${fmt(p.lag.max.sink)} | ${p.caughtUpSec === undefined ? 'not within the drain' : fmt(p.caughtUpSec, 1)} | ${fmt(p.aggregatesPerSec)} | ${fmt(p.channelMessagesPerSec)} | ${[c['ingest-gateway'], c['stream-processor'], c['aggregate-sink'], c['query-api']].map((v) => fmt(v, 2)).join(' / ')} | ${fmt(p.harnessCores.loadtest, 2)} / ${fmt(p.harnessCores.bench, 2)} |`,
    );
  }
  lines.push(
    '',
    '| offered events/s | processor outputs/s | processor commit ms (mean) | Redis sink batches/s | records per batch (mean) | ms per batch (mean) |',
    '|---:|---:|---:|---:|---:|---:|',
    ...phases.map((p) =>
      p.apps
        ? `| ${fmt(p.rate)} | ${fmt(p.apps.processorOutputsPerSec)} | ${fmt(p.apps.processorCommitMs, 1)} | ${fmt(p.apps.sinkRedisBatchesPerSec, 1)} | ${fmt(p.apps.sinkRedisBatchRecords)} | ${fmt(p.apps.sinkRedisBatchMs)} |`
        : `| ${fmt(p.rate)} | /metrics not read | | | | |`,
    ),
  );
  lines.push(
    '',
    '| transport floor, same run (no application work) | samples | p50 ms | p99 ms | max ms |',
    '|---|---:|---:|---:|---:|',
    `| Kafka: produce acks=all → read_committed consumer (fetch wait 250 ms) | ${floor.kafka.length} | ${fmt(percentile(floor.kafka, 0.5))} | ${fmt(percentile(floor.kafka, 0.99))} | ${fmt(percentile(floor.kafka, 1))} |`,
    `| Redis: PUBLISH → subscriber | ${floor.redis.length} | ${fmt(percentile(floor.redis, 0.5))} | ${fmt(percentile(floor.redis, 0.99))} | ${fmt(percentile(floor.redis, 1))} |`,
    // A series that keeps changing is emitted once per interval: a change waits for the next
    // emission, uniformly over the interval. No machine makes that shorter; only the setting does.
    `| emit throttle by its definition (a change waits uniformly over EMIT_INTERVAL_MS ${fmt(emitIntervalMs)}; model, not measured) | – | ${fmt(emitIntervalMs * 0.5)} | ${fmt(emitIntervalMs * 0.99)} | ${fmt(emitIntervalMs)} |`,
    '',
    `Load average (1 / 5 / 15 min) per phase, on ${cpus().length} cores: ${phases.map((p) => `${fmt(p.rate)}: ${la(p.loadavg.before)} → ${la(p.loadavg.after)}`).join('; ')}.`,
    `CPU pressure (time some runnable task waited for a core, last 60 s, at each phase's end): ${phases.map((p) => `${fmt(p.rate)}: ${p.cpuPressureAvg60 === undefined ? 'not reported' : `${fmt(p.cpuPressureAvg60)} %`}`).join('; ')}.`,
    '',
    targetVerdict(phases),
  );
  return lines.join('\n');
}
