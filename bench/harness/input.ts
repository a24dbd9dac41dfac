import { EVENTS_TOPIC, type MetricEvent } from '@streammetrics/contracts';
import { FleetGenerator, FleetSimulator, KafkaEventSink } from '@streammetrics/fleet';
import type { BenchKafka } from './bench.kafka';
import { ReferenceAggregator, type WindowTotals } from './reference';

export const FLUSH_SERVICE = 'bench-flush';
export const INPUT_PARTITIONS = 6;

export interface InputPlan {
  events: number;
  /** Event-time span the events cover. */
  spanMs: number;
  services: number;
  seed: number;
  late: number;
  outOfOrder: number;
  graceMs: number;
}

export interface PreparedInput {
  topic: string;
  /** Records in the topic, the flush records included. */
  records: number;
  generateSeconds: number;
  startTime: number;
  /** Exact totals of every window closed by the end of the input (flush series excluded). */
  reference: Map<string, WindowTotals>;
  referenceLate: number;
}

/**
 * Writes the one input topic every system reads: `events` simulator events backfilled over
 * `spanMs` of event time ending 20 minutes ago, then one flush event per partition stamped past
 * the end of the longest window + grace, so every data window closes in every system on stream
 * time alone (no wall clock, no idle timeout involved). Then reads the topic back, partition by
 * partition, to compute the exact expected finals.
 */
export async function prepareInput(
  bk: BenchKafka,
  brokers: string[],
  prefix: string,
  plan: InputPlan,
  log: (line: string) => void,
): Promise<PreparedInput> {
  const topic = `${prefix}${EVENTS_TOPIC}`;
  const startTime = Date.now() - 20 * 60_000 - plan.spanMs;
  const rate = (plan.events * 1000) / plan.spanMs;
  const sink = new KafkaEventSink({ brokers, topic, clientId: 'bench-input' });
  await sink.connect();
  const t0 = Date.now();
  const stats = await new FleetSimulator(
    new FleetGenerator({
      services: plan.services,
      seed: plan.seed,
      lateFraction: plan.late,
      outOfOrderFraction: plan.outOfOrder,
      graceMs: plan.graceMs,
    }),
    sink,
    { log },
  ).run({ rate, count: plan.events, startTime, batchSize: 5000, progressIntervalMs: 10_000 });
  await sink.close();
  if (stats.errors > 0) throw new Error(`input generation: ${stats.errors} events failed to send`);

  const flushAt = startTime + plan.spanMs + 15 * 60_000 + plan.graceMs + 60_000;
  const producer = bk.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  await producer.send({
    topic,
    acks: -1,
    messages: Array.from({ length: INPUT_PARTITIONS }, (_, p) => {
      const e: MetricEvent = {
        eventId: `bench-flush-${p}`,
        timestamp: flushAt,
        serviceId: FLUSH_SERVICE,
        metricName: 'bench.flush',
        value: 0,
        tags: {},
      };
      return { partition: p, key: FLUSH_SERVICE, value: JSON.stringify(e) };
    }),
  });
  await producer.disconnect();
  const generateSeconds = (Date.now() - t0) / 1000;

  const ref = new ReferenceAggregator(plan.graceMs);
  let records = 0;
  await bk.readAll([topic], (_t, partition, value) => {
    records++;
    if (value) ref.add(partition, JSON.parse(value.toString('utf8')) as MetricEvent);
  });
  const reference = new Map([...ref.finals()].filter(([k]) => !k.includes(`|${FLUSH_SERVICE}|`)));
  if (records !== plan.events + INPUT_PARTITIONS) {
    throw new Error(`input topic holds ${records} records, expected ${plan.events + INPUT_PARTITIONS}`);
  }
  return { topic, records, generateSeconds, startTime, reference, referenceLate: ref.late };
}
