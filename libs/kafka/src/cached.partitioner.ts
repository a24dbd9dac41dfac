import { Partitioners, type ICustomPartitioner } from 'kafkajs';

/** Distinct keys remembered per topic before the memo starts over (a bound, not a tuning knob). */
const MAX_KEYS_PER_TOPIC = 100_000;

/**
 * kafkajs' DefaultPartitioner, with the partition of each string key remembered. The stock one
 * hashes every message's key with murmur2 and filters the partition list per message; our records
 * are keyed by serviceId, a few hundred distinct values, so that was ~5% of the gateway's and the
 * processor's CPU. The answer for a key depends only on the key and the partition count, so a memo
 * per (topic, partition count) gives exactly the stock partition; anything else (explicit partition,
 * Buffer or missing keys) goes to the stock partitioner unchanged.
 */
export const CachedDefaultPartitioner: ICustomPartitioner = () => {
  const stock = Partitioners.DefaultPartitioner();
  const memo = new Map<string, { partitions: number; byKey: Map<string, number> }>();
  return (args) => {
    const { topic, partitionMetadata, message } = args;
    const key = message.key;
    if ((message.partition !== null && message.partition !== undefined) || typeof key !== 'string') {
      return stock(args);
    }
    let entry = memo.get(topic);
    if (!entry || entry.partitions !== partitionMetadata.length || entry.byKey.size >= MAX_KEYS_PER_TOPIC) {
      entry = { partitions: partitionMetadata.length, byKey: new Map() };
      memo.set(topic, entry);
    }
    let p = entry.byKey.get(key);
    if (p === undefined) {
      p = stock(args);
      entry.byKey.set(key, p);
    }
    return p;
  };
};
