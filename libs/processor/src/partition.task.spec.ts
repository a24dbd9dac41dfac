import { Registry } from 'prom-client';
import { EventDecoder } from '@streammetrics/registry';
import { event, InMemoryKafka, noSchemas, OPTIONS, T0 } from './eos.fixture';
import { processorTopics } from './eos.runtime';
import { PartitionTask } from './partition.task';
import { MAX_SEND_BYTES } from './partition.transaction';
import { ProcessorMetrics } from './processor.metrics';

function task(kafka = new InMemoryKafka()) {
  const topics = processorTopics(OPTIONS.topicPrefix);
  const t = new PartitionTask(3, {
    opts: OPTIONS,
    topics,
    metrics: new ProcessorMetrics(new Registry()),
    decoder: new EventDecoder(noSchemas),
    producers: (id) => kafka.producer(id),
  });
  return { t, kafka, topics };
}

const records = (...values: Buffer[]) => values.map((value, i) => ({ offset: String(i), key: null, value }));

describe('PartitionTask', () => {
  it('refuses to ingest or commit before its state is installed, and after it is closed', async () => {
    const { t } = task();
    expect(() => t.ingest(records(event(T0, 1)), T0)).toThrow('partition 3: ingest while initializing');
    await expect(t.commit(T0)).rejects.toThrow('partition 3: commit while initializing');
    await t.close();
    expect(() => t.install([], '0', T0)).toThrow('partition 3: illegal transition closed -> ready');
    expect(t.state).toBe('closed');
  });

  it('names its transactional id after group, input topic and partition', () => {
    const { t, topics } = task();
    expect(t.transactionalId).toBe(`${OPTIONS.groupId}-${topics.input}-3`);
  });

  it('commits no transaction when nothing changed since the last one', async () => {
    const { t, kafka } = task();
    await t.openProducer();
    t.install([], '0', T0);
    t.ingest(records(event(T0, 1)), T0);
    await t.commit(T0 + 1_000);
    const after = kafka.commits;
    expect(after).toBeGreaterThan(1); // the barrier, then the record's
    await t.commit(T0 + 1_000);
    expect(kafka.commits).toBe(after);
  });

  it('is due for a commit only when ready and a commit interval has passed', async () => {
    const { t } = task();
    expect(t.commitDue(T0 + 10_000)).toBe(false);
    await t.openProducer();
    t.install([], '0', T0);
    expect(t.commitDue(T0 + OPTIONS.commitIntervalMs - 1)).toBe(false);
    expect(t.commitDue(T0 + OPTIONS.commitIntervalMs)).toBe(true);
    t.rebuilding();
    expect(t.commitDue(T0 + OPTIONS.commitIntervalMs)).toBe(false);
  });

  it('splits a large transaction into produce calls under the size limit, all in one commit', async () => {
    const { t, kafka, topics } = task();
    await t.openProducer();
    t.install([], '0', T0);
    // Many distinct series: each has its own outputs and changelog records.
    const many = Array.from({ length: 3_000 }, (_, i) => event(T0 + i, i, `metric.${i}`));
    t.ingest(records(...many), T0);
    const before = kafka.sendBatches;
    await t.commit(T0 + 1_000);
    expect(kafka.sendBatches - before).toBeGreaterThan(1);
    expect(kafka.commits).toBe(2);
    expect(kafka.groupOffsets.get(3)).toBe('3000');
    expect(kafka.on(topics.changelog).length).toBeGreaterThan(3_000);
    expect(MAX_SEND_BYTES).toBeLessThan(1024 * 1024);
  });

  it('a failed commit leaves the committed offset where it was and counts an abort', async () => {
    const { t, kafka } = task();
    await t.openProducer();
    t.install([], '0', T0);
    t.ingest(records(event(T0, 1)), T0);
    kafka.failCommits = 1;
    await expect(t.commit(T0 + 1_000)).rejects.toThrow('commit failed');
    expect(kafka.aborts).toBe(1);
    expect(kafka.groupOffsets.has(3)).toBe(false);
  });

  it('a fenced producer cannot commit: a newer owner of the transactional id wins', async () => {
    const kafka = new InMemoryKafka();
    const old = task(kafka).t;
    await old.openProducer();
    old.install([], '0', T0);
    old.ingest(records(event(T0, 1)), T0);
    const next = task(kafka).t;
    await next.openProducer();
    await expect(old.commit(T0 + 1_000)).rejects.toThrow('producer fenced');
    expect(kafka.groupOffsets.has(3)).toBe(false);
  });
});
