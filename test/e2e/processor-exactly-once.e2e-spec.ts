import type { Kafka, Producer } from 'kafkajs';
import { DLQ_HEADERS, topicSpecs, WINDOW_SPECS, type AggregateRecord } from '@streammetrics/contracts';
import { provisionTopics } from '@streammetrics/kafka';
import { readTopics, testKafka, uniqueName } from '@streammetrics/testing';
import { generate, seeded, type GeneratedRecord } from './support-processor/event-generator';
import { FLUSH_METRIC, flushMarkers } from './support-processor/flush-markers';
import {
  committedTotal,
  endOffsetsTotal,
  ProcessorProcess,
  sleep,
  waitFor,
} from './support-processor/processor.process';
import { exactWindows, rankError, aggregateKey } from './support-processor/window-oracle';

const PARTITIONS = 6;
const GRACE_MS = 10_000;

async function produce(producer: Producer, topic: string, records: GeneratedRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 5000) {
    await producer.send({
      topic,
      acks: -1,
      messages: records
        .slice(i, i + 5000)
        .map((r) => ({ key: r.key, value: r.value, partition: r.partition })),
    });
  }
}

/**
 * The proof of exactly once (docs/CONTRACTS.md): the real processor, SIGKILLed mid-stream three times and
 * once during a two-instance rebalance, must produce exactly the windows an exact computation
 * gives — every final once, exact counts/sums/min/max — and dead-letter exactly the bad records.
 */
describe('stream-processor: exactly once under crashes', () => {
  let kafka: Kafka;
  const prefix = `${uniqueName('eos')}.`;
  const groupId = uniqueName('eos-processors');
  const input = `${prefix}metrics-events`;
  const running: ProcessorProcess[] = [];

  beforeAll(async () => {
    kafka = testKafka('eos-test');
    await provisionTopics(kafka, topicSpecs(prefix), 1);
  });

  afterAll(async () => {
    await Promise.all(running.map((p) => p.kill('SIGKILL')));
  });

  // Its own waits (up to 300 s each on a slow machine) are the guard: the tier's 120 s would cut
  // them short and hide which step did not finish.
  it('emits every window exactly once with exact results despite SIGKILLs and a rebalance', async () => {
    const records = generate({
      seed: 20261123,
      count: 200_000,
      partitions: PARTITIONS,
      startTime: Date.UTC(2026, 0, 1),
      msPerRecord: 30,
      outOfOrderMs: 8_000,
      partlyLate: 0.01,
      fullyLate: 0.004,
      undecodable: 0.002,
      invalid: 0.002,
    });
    const all = [...records, ...flushMarkers(records)];
    const phase1 = records.slice(0, 150_000);
    const phase2 = all.slice(150_000);
    const expected = exactWindows(all, GRACE_MS, FLUSH_METRIC);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    await produce(producer, input, phase1);

    const env = {
      TOPIC_PREFIX: prefix,
      PROCESSOR_GROUP_ID: groupId,
      IDLE_TIMEOUT_MS: '0',
      GRACE_MS: String(GRACE_MS),
      COMMIT_INTERVAL_MS: '100',
      EMIT_INTERVAL_MS: '1000',
      SESSION_TIMEOUT_MS: '6000',
      TRANSACTION_TIMEOUT_MS: '5000',
    };
    const committed = () => committedTotal(kafka, groupId, input);
    const rnd = seeded(4242);
    const timeline: string[] = [];

    // Three crashes at random moments, each after visible progress.
    for (let k = 1; k <= 3; k++) {
      const p = new ProcessorProcess(env);
      running.push(p);
      p.start();
      const target = Math.floor((k * phase1.length) / 5);
      const progressed = await waitFor(async () => (await committed()) >= target, 240_000);
      if (!progressed) throw new Error(`no progress to ${target}:\n${p.output.join('')}`);
      await sleep(Math.floor(rnd() * 400));
      await p.kill('SIGKILL');
      timeline.push(`kill ${k} at committed=${await committed()}`);
    }

    // Two instances share the partitions; one dies mid-stream and the other takes over.
    const a = new ProcessorProcess(env);
    const b = new ProcessorProcess(env);
    running.push(a, b);
    a.start();
    b.start();
    await produce(producer, input, phase2);
    await producer.disconnect();
    const before = await committed();
    await waitFor(async () => (await committed()) >= before + 10_000, 240_000);
    await sleep(Math.floor(rnd() * 400));
    await b.kill('SIGKILL');
    timeline.push(`kill of the second instance at committed=${await committed()}`);

    const end = await endOffsetsTotal(kafka, input);
    const finished = await waitFor(async () => (await committed()) >= end, 300_000, 500);
    if (!finished) throw new Error(`processing did not finish:\n${a.output.join('')}`);
    await a.kill('SIGTERM');
    timeline.push(`all ${end} input records committed; graceful stop`);

    const outputTopics = WINDOW_SPECS.map((w) => `${prefix}${w.topic}`);
    const expectedDead = expected.deadLetters.size;
    const out = await readTopics(kafka, [...outputTopics, `${prefix}metrics-dead-letter`], {
      readCommitted: true,
      timeoutMs: 120_000,
      settleMs: 3_000,
      done: (rs) =>
        rs.filter((r) => r.headers.emit === 'final').length >= expected.windows.size &&
        rs.filter((r) => r.topic.endsWith('metrics-dead-letter')).length >= expectedDead,
    });

    // Every expected window's final exactly once, with exact count, sum, min and max.
    const finals = new Map<string, AggregateRecord[]>();
    for (const r of out) {
      if (r.headers.emit !== 'final') continue;
      const a = JSON.parse(r.value!.toString()) as AggregateRecord;
      if (a.metricName === FLUSH_METRIC) continue;
      const k = aggregateKey(a);
      finals.set(k, [...(finals.get(k) ?? []), a]);
    }
    const duplicated = [...finals].filter(([, v]) => v.length > 1).map(([k]) => k);
    const missing = [...expected.windows.keys()].filter((k) => !finals.has(k));
    const unexpected = [...finals.keys()].filter((k) => !expected.windows.has(k));
    expect({
      duplicated: duplicated.slice(0, 5),
      missing: missing.slice(0, 5),
      unexpected: unexpected.slice(0, 5),
    }).toEqual({
      duplicated: [],
      missing: [],
      unexpected: [],
    });

    let wrong = 0;
    let worstRankError = 0;
    for (const [k, w] of expected.windows) {
      const a = finals.get(k)![0]!;
      if (a.count !== w.count || a.sum !== w.sum || a.min !== w.min || a.max !== w.max) wrong++;
      const sorted = [...w.values].sort((x, y) => x - y);
      for (const [q, est] of [
        [0.5, a.p50],
        [0.95, a.p95],
        [0.99, a.p99],
      ] as const) {
        // Small windows hold few values: allow one value's worth of rank on top of the digest's error.
        worstRankError = Math.max(worstRankError, rankError(sorted, q, est) - 1 / sorted.length);
      }
    }
    expect(wrong).toBe(0);
    expect(worstRankError).toBeLessThan(0.02);

    // The dead-letter topic holds exactly the bad and late records, each once, with its reason.
    const dead = out.filter((r) => r.topic.endsWith('metrics-dead-letter'));
    const seen = new Map<string, string>();
    const deadTwice: string[] = [];
    for (const r of dead) {
      const v = r.value!.toString();
      if (seen.has(v)) deadTwice.push(v);
      seen.set(v, r.headers[DLQ_HEADERS.reason]!);
      expect(r.headers[DLQ_HEADERS.sourceTopic]).toBe(input);
    }
    expect(deadTwice).toEqual([]);
    expect(seen.size).toBe(expectedDead);
    const wrongReason = [...expected.deadLetters].filter(([v, reason]) => seen.get(v) !== reason);
    expect(wrongReason.slice(0, 3)).toEqual([]);

    process.stderr.write(
      `[eos] ${expected.windows.size} windows, ${expectedDead} dead letters; ${timeline.join('; ')}\n`,
    );
  }, 600_000);
});
