import { decodeAggregate, DLQ_HEADERS, EMIT_HEADER } from '@streammetrics/contracts';
import { SchemaRegistryUnavailableError, type SchemaSource } from '@streammetrics/registry';
import { BARRIER_KEY } from './changelog.restorer';
import { event, harness, T0, until } from './eos.fixture';

type Harness = ReturnType<typeof harness>;

const txId = (h: Harness, partition: number) => `g-${h.runtime.topics.input}-${partition}`;

async function started(h: Harness, partitions: number[]): Promise<void> {
  await h.runtime.start();
  h.input.handlers?.assigned(new Set(partitions));
  await until(() => h.runtime.health().ok, 'partitions restored');
}

/** Finals per window and series as count/sum, the exact result the e2e specs check. */
function finals(h: Harness): Map<string, string> {
  const out = new Map<string, string>();
  for (const m of h.kafka.committed) {
    if (m.headers?.[EMIT_HEADER] !== 'final') continue;
    const r = decodeAggregate(m.value as Buffer);
    const id = `${m.topic}|${String(m.key)}|${r.window.start}`;
    if (out.has(id)) throw new Error(`final ${id} emitted twice`);
    out.set(id, `${r.count}/${r.sum}`);
  }
  return out;
}

/** Three one-minute windows' worth of events, then one far ahead that closes them. */
function feed(h: Harness, partition: number): void {
  for (let i = 0; i < 30; i++) h.input.append(partition, event(T0 + i * 6_000, i));
  h.input.append(partition, event(T0 + 30 * 60_000, 1));
}

describe('EosRuntime', () => {
  it('initialises a gained partition: fences with its transactional id, commits a barrier, restores and seeks', async () => {
    const h = harness();
    await h.runtime.start();
    h.input.handlers?.assigned(new Set([2]));
    expect(h.runtime.health()).toEqual({ ok: false, detail: 'restoring partitions 2' });
    await until(() => h.runtime.health().ok);
    expect(h.kafka.opened).toEqual([txId(h, 2)]);
    const barrier = h.kafka.on(h.runtime.topics.changelog);
    expect(barrier).toHaveLength(1);
    expect(barrier[0]).toMatchObject({ key: BARRIER_KEY, partition: 2 });
    expect(h.input.seeks).toEqual([[2, '0']]);
    await h.runtime.stop();
  });

  it('commits outputs, dead letters and the input offset in one transaction once the commit interval passed', async () => {
    const h = harness();
    await started(h, [0]);
    const garbage = Buffer.from('{not json');
    h.input.append(0, event(T0, 5), garbage, event(T0 + 1, 7));
    await h.input.fetch(0);
    expect(h.kafka.commits).toBe(1); // the barrier only: the interval has not passed
    h.clock.advance(h.options.commitIntervalMs);
    h.input.append(0, event(T0 + 2, 9));
    await h.input.fetch(0);
    await until(() => h.kafka.commits === 2, 'the commit');
    expect(h.kafka.groupOffsets.get(0)).toBe('4');
    const dead = h.kafka.on(h.runtime.topics.deadLetter);
    expect(dead).toHaveLength(1);
    expect(dead[0]?.value).toEqual(garbage);
    expect(dead[0]?.headers?.[DLQ_HEADERS.sourceOffset]).toBe('1');
    const updates = h.kafka.committed.filter((m) => m.headers?.[EMIT_HEADER] === 'update');
    expect(updates.length).toBeGreaterThan(0);
    expect(Math.max(...updates.map((m) => decodeAggregate(m.value as Buffer).count))).toBe(3);
    expect(h.kafka.on(h.runtime.topics.changelog).length).toBeGreaterThan(1);
    await h.runtime.stop();
  });

  it('a failed transaction is aborted, the partition rebuilt from the changelog and rewound: the finals are exact', async () => {
    const reference = harness();
    await started(reference, [0]);
    feed(reference, 0);
    for (const m of reference.input.log.get(0) ?? []) {
      reference.clock.advance(reference.options.commitIntervalMs);
      await reference.input.deliver(0, [m]);
    }
    await reference.runtime.stop();

    const h = harness();
    await started(h, [0]);
    feed(h, 0);
    const records = h.input.log.get(0) ?? [];
    for (const [i, m] of records.entries()) {
      if (i === 12) h.kafka.failCommits = 1;
      h.clock.advance(h.options.commitIntervalMs);
      await h.input.deliver(0, [m]);
      if (i === 12) break;
    }
    await until(() => h.kafka.aborts === 1, 'the abort');
    expect(await h.counter('streammetrics_processor_recoveries_total')).toBe(1);
    expect(h.kafka.opened).toHaveLength(2); // reopened: a new epoch fences the failed producer
    await until(() => h.runtime.health().ok);
    const [, offset] = h.input.seeks[h.input.seeks.length - 1] ?? [];
    expect(offset).toBe(h.kafka.groupOffsets.get(0));
    // The consumer refetches from the committed offset, as kafkajs does after the seek.
    while (Number(h.input.positions.get(0)) < records.length) {
      h.clock.advance(h.options.commitIntervalMs);
      await h.input.fetch(0);
    }
    await h.runtime.stop();

    expect(finals(reference).size).toBeGreaterThan(0);
    expect(finals(h)).toEqual(finals(reference));
    expect(h.kafka.groupOffsets.get(0)).toBe(String(records.length));
  });

  it('drops a batch queued behind a failing commit: after the rewind its records come again, none skipped', async () => {
    const h = harness();
    await started(h, [0]);
    for (let i = 0; i < 6; i++) h.input.append(0, event(T0 + i, i));
    const log = h.input.log.get(0) ?? [];
    h.clock.advance(h.options.commitIntervalMs);
    h.kafka.failCommits = 1;
    await h.input.deliver(0, log.slice(0, 3)); // ingested, then a commit that fails
    await h.input.deliver(0, log.slice(3)); // fetched before the rewind, queued behind it
    await until(() => h.runtime.health().ok && h.kafka.aborts === 1, 'the rebuild');
    expect(h.input.positions.get(0)).toBe('0');
    h.clock.advance(h.options.commitIntervalMs);
    await h.input.fetch(0);
    await until(() => h.kafka.groupOffsets.get(0) === '6', 'the commit after the rewind');
    await h.runtime.stop();
    const last = h.kafka.committed.filter((m) => m.headers?.[EMIT_HEADER] === 'update').pop();
    expect(decodeAggregate(last?.value as Buffer).count).toBe(6);
  });

  it('ingests batches while the transaction is in flight without waiting for it; the next transaction carries them', async () => {
    const h = harness();
    await started(h, [0]);
    const release = h.kafka.holdCommits();
    h.input.append(0, event(T0, 1), event(T0 + 1, 2), event(T0 + 2, 3));
    h.clock.advance(h.options.commitIntervalMs);
    await h.input.fetch(0); // ingested; its commit starts and hangs
    h.input.append(0, event(T0 + 3, 4), event(T0 + 4, 5));
    await h.input.fetch(0); // returns although the commit still hangs
    expect(h.input.positions.get(0)).toBe('5');
    expect(h.kafka.commits).toBe(1); // the barrier only
    release();
    await until(() => h.kafka.groupOffsets.get(0) === '3', 'the held commit, up to its snapshot');
    h.clock.advance(h.options.commitIntervalMs);
    h.tick();
    await until(() => h.kafka.groupOffsets.get(0) === '5', 'the next commit');
    await h.runtime.stop();
    const counts = h.kafka.committed
      .filter((m) => m.headers?.[EMIT_HEADER] === 'update')
      .map((m) => decodeAggregate(m.value as Buffer).count);
    expect(Math.max(...counts)).toBe(5);
  });

  it('waits for a hanging transaction once the partition has ingested 8 batches behind it', async () => {
    const h = harness();
    await started(h, [0]);
    const release = h.kafka.holdCommits();
    h.input.append(0, event(T0, 0));
    h.clock.advance(h.options.commitIntervalMs);
    await h.input.fetch(0);
    for (let i = 1; i < 8; i++) {
      h.input.append(0, event(T0 + i, i));
      await h.input.fetch(0);
    }
    h.input.append(0, event(T0 + 8, 8));
    let returned = false;
    const eighth = h.input.fetch(0).then(() => (returned = true));
    await until(() => h.input.positions.get(0) === '9', 'the eighth batch ingested');
    await new Promise((r) => setImmediate(r));
    expect(returned).toBe(false);
    release();
    await eighth;
    await h.runtime.stop();
    expect(h.kafka.groupOffsets.get(0)).toBe('9');
  });

  it('skips records a batch repeats from before the partition offset (fetched before a seek)', async () => {
    const h = harness();
    await started(h, [0]);
    h.input.append(0, event(T0, 1), event(T0 + 1, 2), event(T0 + 2, 3));
    await h.input.deliver(0, (h.input.log.get(0) ?? []).slice(0, 2));
    await h.input.deliver(0, h.input.log.get(0) ?? []);
    expect(await h.counter('streammetrics_processor_records_in_total')).toBe(3);
    await h.runtime.stop();
    const last = h.kafka.committed.filter((m) => m.headers?.[EMIT_HEADER] === 'update').pop();
    expect(decodeAggregate(last?.value as Buffer).count).toBe(3);
  });

  it('closes the producer of a partition it lost and ignores that partition’s batches', async () => {
    const h = harness();
    await started(h, [0, 1]);
    h.input.handlers?.assigned(new Set([1]));
    await until(() => h.kafka.disconnected.includes(txId(h, 0)));
    h.input.append(0, event(T0, 1));
    h.clock.advance(1_000);
    await h.input.fetch(0);
    expect(await h.counter('streammetrics_processor_records_in_total')).toBe(0);
    expect(h.runtime.health()).toMatchObject({ ok: true, detail: 'partitions 1' });
    await h.runtime.stop();
    expect(h.kafka.groupOffsets.has(0)).toBe(false);
  });

  it('retries the initialisation of a partition until the broker answers', async () => {
    const h = harness();
    h.kafka.failConnects = 2;
    await started(h, [0]);
    expect(h.sleeps).toEqual([100, 250]);
    expect(h.log.lines.filter((l) => l.includes('initialisation failed'))).toHaveLength(2);
    await h.runtime.stop();
  });

  it('holds a batch while the schema registry is unavailable, unready, and never dead-letters it for that', async () => {
    let outage = true;
    const schemas: SchemaSource = {
      lookUp: () =>
        outage
          ? Promise.reject(new SchemaRegistryUnavailableError('registry down'))
          : Promise.resolve(undefined),
    };
    const h = harness({}, schemas);
    await started(h, [0]);
    const framed = Buffer.from([0, 0, 0, 0, 42, 1, 2, 3]);
    h.input.append(0, framed);
    const delivered = h.input.fetch(0);
    await until(() => !h.runtime.health().ok);
    expect(h.runtime.health().detail).toBe('waiting for the schema registry: registry down');
    expect(await h.counter('streammetrics_processor_records_in_total')).toBe(0);
    outage = false;
    await delivered;
    expect(h.runtime.health().ok).toBe(true);
    expect(await h.counter('streammetrics_processor_schema_registry_unavailable_total')).toBeGreaterThan(0);
    await h.runtime.stop();
    // Once the registry answers that it has no such id, the record is a dead letter, bytes unchanged.
    const dead = h.kafka.on(h.runtime.topics.deadLetter);
    expect(dead.map((m) => [m.value, m.headers?.[DLQ_HEADERS.reason]])).toEqual([[framed, 'UNKNOWN_SCHEMA']]);
  });

  it('drops a held batch unprocessed when the partition moves away meanwhile', async () => {
    const schemas: SchemaSource = {
      lookUp: () => Promise.reject(new SchemaRegistryUnavailableError('registry down')),
    };
    const h = harness({}, schemas);
    await started(h, [0]);
    h.input.append(0, Buffer.from([0, 0, 0, 0, 42, 1]));
    const delivered = h.input.fetch(0);
    await until(() => h.sleeps.length > 0);
    h.input.stale = true;
    await delivered;
    expect(await h.counter('streammetrics_processor_records_in_total')).toBe(0);
    expect(h.input.positions.get(0)).toBe('0');
    await h.runtime.stop();
  });

  it('the commit timer commits an idle partition once its interval passed', async () => {
    const h = harness();
    await started(h, [0]);
    h.input.append(0, event(T0, 1));
    await h.input.fetch(0);
    h.tick();
    await until(() => true);
    expect(h.kafka.groupOffsets.get(0)).toBeUndefined();
    h.clock.advance(h.options.commitIntervalMs);
    h.tick();
    await until(() => h.kafka.groupOffsets.get(0) === '1', 'the tick commit');
    await h.runtime.stop();
  });

  it('stop commits what was processed in a last transaction, closes every producer and leaves the group', async () => {
    const h = harness();
    await started(h, [0, 1]);
    h.input.append(1, event(T0, 1), event(T0 + 1, 2));
    await h.input.fetch(1);
    expect(h.kafka.groupOffsets.get(1)).toBeUndefined();
    await h.runtime.stop();
    expect(h.kafka.groupOffsets.get(1)).toBe('2');
    expect(h.input.stopped && h.input.disconnected).toBe(true);
    expect([...h.kafka.disconnected].sort()).toEqual([txId(h, 0), txId(h, 1)]);
    expect(h.runtime.health()).toEqual({ ok: false, detail: 'not running' });
  });

  it('a consumer crash kafkajs restarts is only logged; one it does not makes readiness false and calls onFatal', async () => {
    const fatal = jest.fn();
    const h = harness({ onFatal: fatal });
    await started(h, [0]);
    h.input.handlers?.crashed(new Error('network blip'), true);
    expect(h.runtime.health().ok).toBe(true);
    expect(fatal).not.toHaveBeenCalled();
    h.input.handlers?.crashed(
      Object.assign(new Error('bad batch'), {
        name: 'KafkaJSUndecodableBatchError',
        topic: 'x',
        partition: 0,
      }),
      false,
    );
    expect(fatal).toHaveBeenCalledWith(expect.objectContaining({ reason: 'UNDECODABLE_BATCH' }));
    expect(h.runtime.health()).toEqual({ ok: false, detail: 'consumer stopped: bad batch' });
    expect(await h.counter('streammetrics_processor_consumer_failures_total')).toBe(1);
    await h.runtime.stop();
  });
});
