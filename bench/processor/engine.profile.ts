/**
 * `node -r @swc-node/register bench/processor/engine.profile.ts [events] [eventsPerStreamMs]`: the
 * processor's CPU path without Kafka (decode + validate, window ingest, collect + encode), to see
 * where time goes (add --cpu-prof to node for a profile). eventsPerStreamMs (default 50) sets how
 * much stream time the events span: at the default 300,000 events cover 6 s, one slice per series;
 * at 1 they cover 5 minutes, so interim updates of the 5m and 15m windows merge up to 30 slices.
 */
import { decodeMetricEvent, encodeAggregate } from '@streammetrics/contracts';
import { FleetGenerator } from '@streammetrics/fleet';
import { PartitionWindows } from '@streammetrics/windowing';

const N = Number(process.argv[2] ?? 300_000);
const PER_MS = Number(process.argv[3] ?? 50);
const gen = new FleetGenerator({ services: 20, seed: 7 });
const t0 = Date.UTC(2026, 0, 1);
const buffers = Array.from({ length: N }, (_, i) =>
  Buffer.from(JSON.stringify(gen.next(t0 + Math.floor(i / PER_MS)))),
);
const windows = new PartitionWindows({ idleTimeoutMs: 0 });
let decodeMs = 0;
let ingestMs = 0;
let collectMs = 0;
let encodeMs = 0;
let outputs = 0;
let changelog = 0;
let wall = 0;
for (let i = 0; i < N; i += 1000) {
  let t = performance.now();
  const events = [];
  for (let j = i; j < Math.min(N, i + 1000); j++) {
    const d = decodeMetricEvent(buffers[j]!);
    if (d.ok) events.push(d.event);
  }
  decodeMs += performance.now() - t;
  t = performance.now();
  for (const e of events) windows.ingest(e, wall);
  ingestMs += performance.now() - t;
  wall += 20; // 1000 events per 20 ms of wall time = 50,000 events/s
  if (i % 5000 === 0) {
    t = performance.now();
    const c = windows.collect(wall);
    collectMs += performance.now() - t;
    t = performance.now();
    for (const o of c.outputs) encodeAggregate(o.record);
    encodeMs += performance.now() - t;
    outputs += c.outputs.length;
    changelog += c.changelog.length;
  }
}
const total = decodeMs + ingestMs + collectMs + encodeMs;
const per = (ms: number) => `${((ms * 1e6) / N).toFixed(0)} ns/event`;
console.log({
  N,
  streamSeconds: N / PER_MS / 1000,
  eventsPerSecond: Math.round(N / (total / 1000)),
  decode: per(decodeMs),
  ingest: per(ingestMs),
  collect: per(collectMs),
  encode: per(encodeMs),
  outputs,
  changelog,
  stats: windows.stats(),
});
