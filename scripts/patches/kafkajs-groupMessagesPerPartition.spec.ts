// The installed (patched, see apply-patches.js) grouping against stock kafkajs 2.2.4's algorithm,
// which is small enough to restate here: the same partitions, the same messages, the same order.
/* eslint-disable @typescript-eslint/no-require-imports */
import { readFileSync } from 'node:fs';
import { Partitioners, type Message, type PartitionMetadata } from 'kafkajs';

type Args = {
  topic: string;
  partitionMetadata: PartitionMetadata[];
  messages: Message[];
  partitioner: (a: { topic: string; partitionMetadata: PartitionMetadata[]; message: Message }) => number;
};
const path = require.resolve('kafkajs/src/producer/groupMessagesPerPartition');
const group = require(path) as (a: Args) => Record<string, Message[]>;

function stock({ topic, partitionMetadata, messages, partitioner }: Args): Record<string, Message[]> {
  if (partitionMetadata.length === 0) return {};
  return messages.reduce<Record<string, Message[]>>((result, message) => {
    const partition = partitioner({ topic, partitionMetadata, message });
    const current = result[partition] ?? [];
    return Object.assign(result, { [partition]: [...current, message] });
  }, {});
}

const meta = (n: number): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));

describe('patched kafkajs groupMessagesPerPartition', () => {
  it('is installed', () => {
    expect(readFileSync(path, 'utf8')).toContain('STREAMMETRICS-PATCH: group-messages-v1');
  });

  it.each([1, 3, 6])('groups like stock kafkajs over %i partitions, keeping order', (n) => {
    const messages: Message[] = Array.from({ length: 2_000 }, (_, i) => ({
      key: i % 7 === 0 ? null : `service-${i % 37}`,
      value: `v${i}`,
      ...(i % 11 === 0 ? { partition: i % n } : {}),
    }));
    const partitioner = Partitioners.DefaultPartitioner();
    // The same partitioner instance for both, so keyless round robin sees the same sequence.
    const picks: number[] = [];
    const recording: Args['partitioner'] = (a) => {
      const p = partitioner(a);
      picks.push(p);
      return p;
    };
    const ours = group({ topic: 't', partitionMetadata: meta(n), messages, partitioner: recording });
    let i = 0;
    const replay: Args['partitioner'] = () => picks[i++] as number;
    const theirs = stock({ topic: 't', partitionMetadata: meta(n), messages, partitioner: replay });
    expect(ours).toEqual(theirs);
    expect(Object.values(ours).reduce((s, l) => s + l.length, 0)).toBe(messages.length);
    if (n > 1) expect(Object.keys(ours).length).toBe(n);
  });

  it('returns nothing without partition metadata', () => {
    expect(
      group({ topic: 't', partitionMetadata: [], messages: [{ value: 'x' }], partitioner: () => 0 }),
    ).toEqual({});
  });
});
