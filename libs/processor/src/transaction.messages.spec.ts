import type { Message, TopicMessages } from 'kafkajs';
import type { AggregateRecord } from '@streammetrics/contracts';
import type { CollectResult } from '@streammetrics/windowing';
import { chunks, sizeOf, transactionMessages } from './transaction.messages';

const topics = {
  prefix: 't.',
  input: 't.metrics-events',
  changelog: 't.changelog',
  deadLetter: 't.dead-letter',
};
const msg = (key: string, bytes: number): Message => ({ key, value: Buffer.alloc(bytes) });
/** A whole aggregate record: the encoder writes every field in its stored order. */
const rec = (count: number): AggregateRecord => ({
  serviceId: 's',
  metricName: 'm',
  tags: {},
  window: { type: 'tumbling', size: '1m', start: 0, end: 60_000 },
  ...{ count, sum: count, min: 1, max: 1, avg: 1, rate: count / 60, p50: 1, p95: 1, p99: 1 },
  digest: '',
  final: false,
  streamTime: 0,
  emittedAt: 0,
});

describe('transactionMessages', () => {
  it('groups outputs, dead letters and changelog records by topic, the changelog on the input partition', () => {
    const collected = {
      outputs: [
        { topic: 'metrics-aggregated-1m', key: 'a', emit: 'final', record: rec(1) },
        { topic: 'metrics-aggregated-5m', key: 'a', emit: 'update', record: rec(2) },
        { topic: 'metrics-aggregated-1m', key: 'b', emit: 'update', record: rec(3) },
      ],
      changelog: [
        { key: 'slice-1', value: new Uint8Array([1, 2]) },
        { key: 'slice-2', value: null },
      ],
    } as unknown as CollectResult;
    const out = transactionMessages(collected, [msg('dead', 3)], topics, 4);
    expect(out.map((t) => [t.topic, t.messages.map((m) => m.key)])).toEqual([
      ['t.metrics-aggregated-1m', ['a', 'b']],
      ['t.metrics-aggregated-5m', ['a']],
      ['t.dead-letter', ['dead']],
      ['t.changelog', ['slice-1', 'slice-2']],
    ]);
    const changelog = out[3]!.messages;
    expect(changelog.map((m) => m.partition)).toEqual([4, 4]);
    expect(changelog[0]!.value).toEqual(Buffer.from([1, 2]));
    expect(changelog[1]!.value).toBeNull();
    expect(out[0]!.messages[0]!.headers).toEqual({ emit: 'final' });
  });
});

describe('chunks', () => {
  const flat = (cs: TopicMessages[][]) =>
    cs.flatMap((c) => c.flatMap((t) => t.messages.map((m) => `${t.topic}/${String(m.key)}`)));

  it('keeps every message once, in order per topic, each call within the limit', () => {
    const input: TopicMessages[] = [
      { topic: 'x', messages: Array.from({ length: 10 }, (_, i) => msg(`x${i}`, 100)) },
      { topic: 'y', messages: Array.from({ length: 5 }, (_, i) => msg(`y${i}`, 300)) },
    ];
    const calls = [...chunks(input, 1000)];
    expect(flat(calls)).toEqual(flat([input]));
    for (const c of calls) {
      const bytes = c.reduce((n, t) => n + t.messages.reduce((k, m) => k + sizeOf(m), 0), 0);
      expect(bytes).toBeLessThanOrEqual(1000);
    }
    expect(calls.length).toBeGreaterThan(1);
  });

  it('sends a message larger than the limit on its own rather than dropping it', () => {
    const calls = [
      ...chunks([{ topic: 'x', messages: [msg('small', 10), msg('big', 5000), msg('after', 10)] }], 1000),
    ];
    expect(calls.map((c) => c.flatMap((t) => t.messages.map((m) => m.key)))).toEqual([
      ['small'],
      ['big'],
      ['after'],
    ]);
  });

  it('yields nothing for nothing', () => {
    expect([...chunks([], 1000)]).toEqual([]);
  });
});
