import { Partitioners, type PartitionMetadata } from 'kafkajs';
import { CachedDefaultPartitioner } from './cached.partitioner';

const meta = (n: number, down: number[] = []): PartitionMetadata[] =>
  Array.from({ length: n }, (_, partitionId) => ({
    partitionId,
    leader: down.includes(partitionId) ? -1 : 1,
    partitionErrorCode: 0,
    replicas: [1],
    isr: [1],
  }));

describe('CachedDefaultPartitioner', () => {
  it('picks the stock DefaultPartitioner partition for every string key, first call and remembered', () => {
    const stock = Partitioners.DefaultPartitioner();
    const cached = CachedDefaultPartitioner();
    const keys = Array.from({ length: 500 }, (_, i) => `service-${i}-${'é'.repeat(i % 4)}`);
    let spread = new Set<number>();
    for (const n of [1, 3, 6, 7]) {
      spread = new Set();
      for (let round = 0; round < 2; round++) {
        for (const key of keys) {
          const args = { topic: 't', partitionMetadata: meta(n), message: { key, value: 'v' } };
          const p = cached(args);
          expect(p).toBe(stock(args));
          spread.add(p);
        }
      }
    }
    // The last partition count (7): the keys spread over every partition, so a constant answer fails.
    expect(spread.size).toBe(7);
  });

  it('keeps topics apart and follows a change of partition count', () => {
    const cached = CachedDefaultPartitioner();
    const stock = Partitioners.DefaultPartitioner();
    const key = 'payment-service';
    const at = (topic: string, n: number) =>
      cached({ topic, partitionMetadata: meta(n), message: { key, value: null } });
    const expected = (n: number) =>
      stock({ topic: 'x', partitionMetadata: meta(n), message: { key, value: null } });
    expect(at('a', 3)).toBe(expected(3));
    expect(at('b', 6)).toBe(expected(6));
    expect(at('a', 12)).toBe(expected(12));
    expect(expected(3)).not.toBe(expected(12));
  });

  it('leaves explicit partitions, Buffer keys and missing keys to the stock rules', () => {
    const cached = CachedDefaultPartitioner();
    const stock = Partitioners.DefaultPartitioner();
    expect(
      cached({ topic: 't', partitionMetadata: meta(6), message: { key: 'k', value: 'v', partition: 4 } }),
    ).toBe(4);
    const buf = { topic: 't', partitionMetadata: meta(6), message: { key: Buffer.from('k2'), value: 'v' } };
    expect(cached(buf)).toBe(stock(buf));
    // No key: round robin over the partitions that have a leader.
    const seen = new Set<number>();
    for (let i = 0; i < 20; i++) {
      seen.add(cached({ topic: 'rr', partitionMetadata: meta(4, [1]), message: { value: 'v' } }));
    }
    expect([...seen].sort()).toEqual([0, 2, 3]);
  });
});
