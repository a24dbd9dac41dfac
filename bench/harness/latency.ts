import { EVENTS_TOPIC, decodeAggregate, topicSpecs } from '@streammetrics/contracts';
import { FleetGenerator, FleetSimulator, KafkaEventSink } from '@streammetrics/fleet';
import { setTimeout as sleep } from 'node:timers/promises';
import type { BenchKafka } from './bench.kafka';
import { RunningProcess } from './run.process';
import { outputTopics, type StreamSystem, type SystemRun } from './systems';

export interface LatencyResult {
  p50Ms: number;
  p99Ms: number;
  samples: number;
  /** Events sent after the warm-up that no output record covered before the drain ended. */
  unmatched: number;
  error?: string;
}

export interface LatencyPlan {
  rate: number;
  durationMs: number;
  warmupMs: number;
  services: number;
  seed: number;
}

/**
 * End-to-end latency, defined identically for every system: an event's latency is the time from
 * handing its batch to the producer (current-time timestamps, live at `rate`) to the arrival, at a
 * read_committed consumer, of the first record on the 1m tumbling topic for the service-level
 * rollup of its (serviceId, metricName, window) whose count includes it. Events of one series are
 * produced and processed in order (one partition per service), so the k-th event of a window is
 * included in the first record with count >= k. Events handed over in the first `warmupMs` are
 * not sampled (JIT, caches, first transactions).
 */
export async function measureLatency(
  bk: BenchKafka,
  system: StreamSystem,
  run: SystemRun,
  plan: LatencyPlan,
  log: (line: string) => void,
): Promise<LatencyResult> {
  const specs = topicSpecs(run.prefix);
  for (const topic of outputTopics(system.outputPrefix(run))) {
    if (!specs.some((t) => t.topic === topic)) specs.push({ topic, partitions: 3, config: {} });
  }
  await bk.createTopics(specs);
  const proc = new RunningProcess(system.id, system.start(run));
  const sends = new Map<string, number[]>();
  const matched = new Map<string, number>();
  const samples: number[] = [];
  let warmEnd = Infinity;
  const consumer = bk.kafka.consumer({ groupId: `${run.groupId}-latency-reader`, readUncommitted: false });
  try {
    const ready = system.waitReady
      ? await system.waitReady(proc, 90_000)
      : await waitUntilStable(bk, run.groupId, proc, 90_000);
    if (ready) return { p50Ms: 0, p99Ms: 0, samples: 0, unmatched: 0, error: ready };

    await consumer.connect();
    let joined = false;
    consumer.on(consumer.events.GROUP_JOIN, () => (joined = true));
    await consumer.subscribe({
      topic: `${system.outputPrefix(run)}metrics-aggregated-1m`,
      fromBeginning: true,
    });
    await consumer.run({
      autoCommit: false,
      eachBatch: async ({ batch }) => {
        const arrived = Date.now();
        for (const m of batch.messages) {
          const r = decodeAggregate(m.value);
          if (r.window.type !== 'tumbling' || Object.keys(r.tags).length > 0) continue;
          const key = `${r.serviceId}|${r.metricName}|${r.window.start}`;
          const times = sends.get(key);
          if (!times) continue;
          let k = matched.get(key) ?? 0;
          for (; k < r.count && k < times.length; k++) {
            const sentAt = times[k] as number;
            if (sentAt >= warmEnd) samples.push(arrived - sentAt);
          }
          matched.set(key, k);
        }
      },
    });
    for (let i = 0; i < 100 && !joined; i++) await sleep(100);

    const sink = new KafkaEventSink({
      brokers: run.brokers,
      topic: `${run.prefix}${EVENTS_TOPIC}`,
      clientId: 'bench-live',
    });
    await sink.connect();
    const t0 = Date.now();
    warmEnd = t0 + plan.warmupMs;
    await new FleetSimulator(new FleetGenerator({ services: plan.services, seed: plan.seed }), sink, {
      log,
      onBatch: (events, handedAt) => {
        for (const e of events) {
          const key = `${e.serviceId}|${e.metricName}|${e.timestamp - (e.timestamp % 60_000)}`;
          let list = sends.get(key);
          if (!list) sends.set(key, (list = []));
          list.push(handedAt);
        }
      },
    }).run({ rate: plan.rate, durationMs: plan.durationMs, batchSize: 1000, progressIntervalMs: 10_000 });
    await sink.close();
    // Drain: at most 5 s for the last interim updates to arrive.
    let total = 0;
    for (const times of sends.values()) total += times.filter((t) => t >= warmEnd).length;
    for (let i = 0; i < 50 && samples.length < total; i++) await sleep(100);
    if (proc.exit) throw new Error(`${system.id} exited during the latency run:\n${proc.output()}`);
    samples.sort((a, b) => a - b);
    const q = (p: number) => samples[Math.min(samples.length - 1, Math.floor(p * samples.length))] ?? NaN;
    return { p50Ms: q(0.5), p99Ms: q(0.99), samples: samples.length, unmatched: total - samples.length };
  } catch (err) {
    return { p50Ms: NaN, p99Ms: NaN, samples: samples.length, unmatched: 0, error: (err as Error).message };
  } finally {
    await consumer.disconnect().catch(() => undefined);
    await proc.stop();
  }
}

/** Waits until the system's consumer group is Stable with a member; returns an error text or undefined. */
export async function waitUntilStable(
  bk: BenchKafka,
  groupId: string,
  proc: RunningProcess,
  capMs: number,
): Promise<string | undefined> {
  const deadline = Date.now() + capMs;
  while (Date.now() < deadline) {
    if (proc.exit) return `${proc.name} exited before joining its group:\n${proc.output()}`;
    const g = await bk.groupState(groupId).catch(() => ({ state: 'Unknown', members: 0 }));
    if (g.state === 'Stable' && g.members > 0) return undefined;
    await sleep(250);
  }
  return `${proc.name} did not join group ${groupId} within ${capMs / 1000} s:\n${proc.output()}`;
}
