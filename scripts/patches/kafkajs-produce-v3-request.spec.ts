// The installed (patched, see apply-patches.js) produce request encoder against stock kafkajs 2.2.4's
// record and record batch encoders, which the patch leaves in place: the bytes must be identical.
/* eslint-disable @typescript-eslint/no-require-imports */
import { readFileSync } from 'node:fs';

type Long = { getHighBits(): number };
type Enc = { buffer: Buffer };
interface Msg {
  key?: string | Buffer | null;
  value: string | Buffer | null;
  timestamp?: string | number;
  headers?: Record<string, string | Buffer | (string | Buffer)[]>;
}
interface PartitionData {
  partition: number;
  firstSequence?: number;
  messages: Msg[];
}
interface RequestArgs {
  acks: number;
  timeout: number;
  transactionalId: string | null;
  producerId: Long;
  producerEpoch: number;
  compression: number;
  topicData: { topic: string; partitions: PartitionData[] }[];
}

const LongClass = require('kafkajs/src/utils/long') as { fromValue(v: number | string): Long };
const Encoder = require('kafkajs/src/protocol/encoder') as new () => {
  writeString(s: string | null): EncInst;
};
type EncInst = Enc & {
  writeString(s: string | null): EncInst;
  writeInt16(n: number): EncInst;
  writeInt32(n: number): EncInst;
  writeArray(a: unknown[]): EncInst;
  writeEncoder(e: Enc): EncInst;
  size(): number;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (r: object) => Enc;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (a: object) => Promise<EncInst>;
};
const patchedPath = require.resolve('kafkajs/src/protocol/requests/produce/v3/request');
const produceV3 = require(patchedPath) as (a: RequestArgs) => { encode(): Promise<Enc> };

/** Stock kafkajs 2.2.4's produce v3 encoding, uncompressed, assembled from its untouched parts. */
async function stockEncode(a: RequestArgs): Promise<Buffer> {
  const topics: EncInst[] = [];
  for (const t of a.topicData) {
    const parts: EncInst[] = [];
    for (const p of t.partitions) {
      const dateNow = Date.now();
      const ts = p.messages
        .map((m) => m.timestamp)
        .filter((x) => x != null)
        .sort();
      const timestamps = ts.length === 0 ? [dateNow] : ts;
      const firstTimestamp = timestamps[0] as number;
      const records = p.messages.map((m, i) =>
        Record({
          ...m,
          offsetDelta: i,
          timestampDelta: Number(m.timestamp || dateNow) - (firstTimestamp as unknown as number),
        }),
      );
      const batch = await RecordBatch({
        compression: 0,
        records,
        firstTimestamp,
        maxTimestamp: timestamps[timestamps.length - 1],
        producerId: a.producerId,
        producerEpoch: a.producerEpoch,
        firstSequence: p.firstSequence,
        transactional: !!a.transactionalId,
        lastOffsetDelta: records.length - 1,
      });
      const enc = (new Encoder() as unknown as EncInst)
        .writeInt32(p.partition)
        .writeInt32(batch.size())
        .writeEncoder(batch);
      parts.push(enc);
    }
    topics.push((new Encoder() as unknown as EncInst).writeString(t.topic).writeArray(parts));
  }
  return (new Encoder() as unknown as EncInst)
    .writeString(a.transactionalId)
    .writeInt16(a.acks)
    .writeInt32(a.timeout)
    .writeArray(topics).buffer;
}

/** Deterministic pseudo-random source, so a failure reproduces. */
function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x9e3779b9) >>> 0;
    return s / 2 ** 32;
  };
}

function randomMessage(r: () => number, i: number): Msg {
  const pick = r();
  const size = pick < 0.5 ? Math.floor(r() * 100) : pick < 0.9 ? Math.floor(r() * 2000) : 20_000;
  const text = 'é✓x'.repeat(Math.ceil(size / 3)).slice(0, size);
  const m: Msg = {
    key: r() < 0.2 ? null : r() < 0.5 ? `svc-${i % 7}` : Buffer.from([i & 255, 1, 2]),
    value: r() < 0.05 ? null : r() < 0.5 ? text : Buffer.from(text),
  };
  if (r() < 0.7)
    m.timestamp = r() < 0.5 ? 1_764_000_000_000 + Math.floor(r() * 1e6) : String(1_764_000_000_000 + i);
  const h = r();
  if (h < 0.3) m.headers = { emit: 'update' };
  else if (h < 0.5) m.headers = { a: Buffer.from('bin'), b: ['x', 'yy'], ü: 'ß'.repeat(70) };
  return m;
}

describe('patched kafkajs produce v3 request encoder', () => {
  afterEach(() => jest.restoreAllMocks());

  it('is installed', () => {
    expect(readFileSync(patchedPath, 'utf8')).toContain('STREAMMETRICS-PATCH: produce-encoder-v1');
  });

  it.each([1, 2, 3, 4, 5, 6, 7, 8])('writes the same bytes as stock kafkajs (seed %i)', async (seed) => {
    jest.spyOn(Date, 'now').mockReturnValue(1_764_000_123_456);
    const r = rng(seed);
    const transactional = seed % 2 === 0;
    const args: RequestArgs = {
      acks: -1,
      timeout: 30_000,
      transactionalId: transactional ? `txn-${seed}` : null,
      producerId: LongClass.fromValue(seed * 1_000_003),
      producerEpoch: seed,
      compression: 0,
      topicData: [0, 1].map((t) => ({
        topic: `topic-${t}`,
        partitions: [0, 1, 2].map((partition) => ({
          partition,
          firstSequence: Math.floor(r() * 1e6),
          messages: Array.from({ length: 1 + Math.floor(r() * 300) }, (_, i) => randomMessage(r, i)),
        })),
      })),
    };
    const patched = (await produceV3(args).encode()).buffer;
    const stock = await stockEncode(args);
    expect(patched.length).toBe(stock.length);
    expect(patched.equals(stock)).toBe(true);
  });
});
