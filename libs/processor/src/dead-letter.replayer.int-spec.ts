import { setTimeout as sleep } from 'node:timers/promises';
import { createTopics, readTopics, testKafka, uniqueName } from '@streammetrics/testing';
import { deadLetterMessage } from './dead-letter.message';
import { replayDeadLetters } from './dead-letter.replayer';

describe('dead-letter replay', () => {
  it('re-publishes exactly the selected dead letters with their original key and value', async () => {
    const kafka = testKafka('replay-test');
    const dlq = uniqueName('dlq');
    const target = uniqueName('events');
    await createTopics(kafka, [{ topic: dlq, partitions: 3 }, { topic: target }]);
    const src = (i: number) => ({
      topic: 'metrics-events',
      partition: 0,
      offset: String(i),
      key: Buffer.from(`svc-${i}`),
      value: Buffer.from(`{"n":${i}}`),
    });
    // Written transactionally, like the processor does, so markers sit between the records.
    const producer = kafka.producer({
      transactionalId: uniqueName('dlq-writer'),
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    const txn = await producer.transaction();
    await txn.send({
      topic: dlq,
      messages: [
        deadLetterMessage(src(1), 'LATE_EVENT', 'late', 1_000),
        deadLetterMessage(src(2), 'SCHEMA_VIOLATION', '/value must be number', 1_000),
        deadLetterMessage(src(3), 'LATE_EVENT', 'late', 5_000),
        deadLetterMessage(src(4), 'LATE_EVENT', 'late', 9_000),
      ],
    });
    await txn.commit();
    await producer.disconnect();
    // EndTxn returns once the commit is decided; the markers that make the records stable (and the
    // read_committed end offset move past them) follow a moment later. The replayer reads up to the
    // stable end it sees at its start, so wait for it here, as an operator running it later would.
    const admin = kafka.admin();
    await admin.connect();
    for (let stable = 0; stable < 4;) {
      const ends = await admin.fetchTopicOffsets(dlq);
      stable = ends.reduce((n, e) => n + Number(e.high) - Number(e.low), 0);
      if (stable < 4) await sleep(50);
    }
    await admin.disconnect();

    const dry = await replayDeadLetters(kafka, {
      deadLetterTopic: dlq,
      targetTopic: target,
      reasons: ['LATE_EVENT'],
      from: 1_000,
      to: 9_000,
      dryRun: true,
    });
    expect(dry).toEqual({ scanned: 4, replayed: 2, byReason: { LATE_EVENT: 2 } });

    const r = await replayDeadLetters(kafka, {
      ...{ deadLetterTopic: dlq, targetTopic: target },
      reasons: ['LATE_EVENT'],
      from: 1_000,
      to: 9_000,
      dryRun: false,
    });
    expect(r.replayed).toBe(2);
    const out = await readTopics(kafka, [target], { done: (rs) => rs.length >= 2, settleMs: 1_000 });
    expect(out.map((m) => [m.key, m.value?.toString()]).sort()).toEqual([
      ['svc-1', '{"n":1}'],
      ['svc-3', '{"n":3}'],
    ]);
  });
});
