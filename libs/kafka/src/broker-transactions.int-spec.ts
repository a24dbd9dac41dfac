import type { Kafka } from 'kafkajs';
import { createTopics, readTopics, testKafka, uniqueName } from '@streammetrics/testing';

/**
 * Proves the broker the project starts supports what the exactly-once processor needs: outputs to
 * two topics and the consumed offsets commit atomically, and read_committed hides aborted data.
 */
describe('broker transactions', () => {
  let kafka: Kafka;
  const input = uniqueName('tx-in');
  const outA = uniqueName('tx-a');
  const outB = uniqueName('tx-b');
  const group = uniqueName('tx-group');

  beforeAll(async () => {
    kafka = testKafka('tx-test');
    await createTopics(kafka, [{ topic: input }, { topic: outA }, { topic: outB }]);
  });

  it('commits writes to two topics with the consumer offsets, and hides aborted ones', async () => {
    const producer = kafka.producer({
      transactionalId: uniqueName('tx-id'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();

    const committed = await producer.transaction();
    await committed.send({ topic: outA, messages: [{ key: 'k', value: 'committed-a' }] });
    await committed.send({ topic: outB, messages: [{ key: 'k', value: 'committed-b' }] });
    await committed.sendOffsets({
      consumerGroupId: group,
      topics: [{ topic: input, partitions: [{ partition: 0, offset: '42' }] }],
    });
    await committed.commit();

    const aborted = await producer.transaction();
    await aborted.send({ topic: outA, messages: [{ key: 'k', value: 'aborted-a' }] });
    await aborted.send({ topic: outB, messages: [{ key: 'k', value: 'aborted-b' }] });
    await aborted.sendOffsets({
      consumerGroupId: group,
      topics: [{ topic: input, partitions: [{ partition: 0, offset: '99' }] }],
    });
    await aborted.abort();

    // A marker written after the abort tells the reader it has seen everything before it.
    const marker = await producer.transaction();
    await marker.send({ topic: outA, messages: [{ key: 'k', value: 'end' }] });
    await marker.send({ topic: outB, messages: [{ key: 'k', value: 'end' }] });
    await marker.commit();
    await producer.disconnect();

    const values = (topic: string, readCommitted: boolean) =>
      readTopics(kafka, [topic], {
        readCommitted,
        done: (rs) => rs.some((r) => r.value?.toString() === 'end'),
      }).then((rs) => rs.map((r) => r.value?.toString()));

    expect(await values(outA, true)).toEqual(['committed-a', 'end']);
    expect(await values(outB, true)).toEqual(['committed-b', 'end']);
    // read_uncommitted does see the aborted records: the filter above is the isolation level's doing.
    expect(await values(outA, false)).toEqual(['committed-a', 'aborted-a', 'end']);

    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchOffsets({ groupId: group, topics: [input] });
    await admin.disconnect();
    expect(offsets[0]?.partitions[0]?.offset).toBe('42');
  });
});

/**
 * Regression test for the kafkajs patch (scripts/patches): several transactional producers
 * interleaving committed and aborted transactions on ONE partition, as the processor's
 * per-input-partition producers do on every output partition.
 */
describe('read_committed with overlapping aborted transactions', () => {
  it('never delivers a record of an aborted transaction', async () => {
    const kafka = testKafka('tx-overlap');
    const topic = uniqueName('tx-overlap');
    await createTopics(kafka, [{ topic }]);
    const producers = await Promise.all(
      [0, 1, 2, 3].map(async () => {
        const p = kafka.producer({
          transactionalId: uniqueName('tx-ov'),
          idempotent: true,
          maxInFlightRequests: 1,
        });
        await p.connect();
        return p;
      }),
    );
    const expected: string[] = [];
    for (let round = 0; round < 6; round++) {
      // Open one transaction per producer, interleave their writes, then commit some, abort others.
      const txns = await Promise.all(producers.map((p) => p.transaction()));
      for (let i = 0; i < 3; i++) {
        for (const [n, txn] of txns.entries()) {
          await txn.send({ topic, messages: [{ value: `r${round}-p${n}-${i}` }] });
        }
      }
      for (const [n, txn] of txns.entries()) {
        if ((round + n) % 2 === 0) {
          await txn.commit();
          for (let i = 0; i < 3; i++) expected.push(`r${round}-p${n}-${i}`);
        } else {
          await txn.abort();
        }
      }
    }
    const marker = await producers[0]!.transaction();
    await marker.send({ topic, messages: [{ value: 'end' }] });
    await marker.commit();
    await Promise.all(producers.map((p) => p.disconnect()));

    const seen = (
      await readTopics(kafka, [topic], { done: (rs) => rs.some((r) => r.value?.toString() === 'end') })
    ).map((r) => r.value?.toString());
    expect(seen.filter((v) => v !== 'end').sort()).toEqual(expected.sort());
  });
});
