// The installed (patched, see apply-patches.js) fetch v11 response decoder: good batches decode as
// stock does; a batch that cannot be decoded fails the fetch with its topic, partition and offset.
/* eslint-disable @typescript-eslint/no-require-imports */
import { CompressionTypes } from 'kafkajs';
import { registerCompressionCodecs } from '@streammetrics/kafka';

type Enc = {
  buffer: Buffer;
  writeInt8(v: number): Enc;
  writeInt16(v: number): Enc;
  writeInt32(v: number): Enc;
  writeInt64(v: string | number): Enc;
  writeString(v: string): Enc;
  writeBytes(v: Buffer): Enc;
  writeBuffer(v: Buffer): Enc;
};
const Encoder = require('kafkajs/src/protocol/encoder') as new () => Enc;
const { RecordBatch } = require('kafkajs/src/protocol/recordBatch/v0') as {
  RecordBatch: (o: object) => Promise<Enc>;
};
const Record = require('kafkajs/src/protocol/recordBatch/record/v0') as (o: object) => Enc;
const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;
const { decode } = require('kafkajs/src/protocol/requests/fetch/v11/response') as {
  decode(b: Buffer): Promise<{
    responses: {
      topicName: string;
      partitions: { partition: number; messages: { offset: string; value: Buffer }[] }[];
    }[];
  }>;
};

registerCompressionCodecs();

async function batchAt(
  firstOffset: number,
  compression: CompressionTypes,
  values: string[],
): Promise<Buffer> {
  const records = values.map((v, i) =>
    Record({ offsetDelta: i, timestampDelta: 0, key: null, value: Buffer.from(v), headers: {} }),
  );
  const enc = await RecordBatch({
    compression,
    firstOffset: String(firstOffset),
    lastOffsetDelta: values.length - 1,
    records,
  });
  return enc.buffer;
}

/** A fetch v11 response with one topic and one partition holding the given record batches. */
function fetchResponse(topic: string, partition: number, batches: Buffer[]): Buffer {
  return new Encoder()
    .writeInt32(0) // throttle time
    .writeInt16(0) // error code
    .writeInt32(0) // session id
    .writeInt32(1) // one topic
    .writeString(topic)
    .writeInt32(1) // one partition
    .writeInt32(partition)
    .writeInt16(0)
    .writeInt64(100) // high watermark
    .writeInt64(100) // last stable offset
    .writeInt64(0) // log start offset
    .writeInt32(0) // no aborted transactions
    .writeInt32(-1) // preferred read replica
    .writeBytes(Buffer.concat(batches)).buffer;
}

describe('fetch v11 response (patched)', () => {
  it('decodes good batches of every codec as stock kafkajs does', async () => {
    const batches = [
      await batchAt(0, CompressionTypes.None, ['a', 'b']),
      await batchAt(2, CompressionTypes.Snappy, ['c']),
      await batchAt(3, CompressionTypes.LZ4, ['d']),
      await batchAt(4, CompressionTypes.GZIP, ['e']),
    ];
    const r = await decode(fetchResponse('metrics-events', 4, batches));
    const p = r.responses[0]!.partitions[0]!;
    expect(r.responses[0]!.topicName).toBe('metrics-events');
    expect(p.messages.map((m) => [m.offset, m.value.toString()])).toEqual([
      ['0', 'a'],
      ['1', 'b'],
      ['2', 'c'],
      ['3', 'd'],
      ['4', 'e'],
    ]);
  });

  it('names the topic, partition and offset of a batch whose compressed payload is corrupt', async () => {
    const good = await batchAt(0, CompressionTypes.None, ['a']);
    const bad = await batchAt(1, CompressionTypes.Snappy, ['x'.repeat(500)]);
    // Corrupt the start of the snappy payload (after the 61-byte batch header) as a damaged disk or
    // proxy would: its length preamble no longer matches the data.
    bad.fill(0xff, 61, 66);
    // With its CRC made to match, so the codec's own error is what is reported.
    bad.writeUInt32BE(crc32C(bad.subarray(21)), 17);
    await expect(decode(fetchResponse('metrics-events', 2, [good, bad]))).rejects.toMatchObject({
      name: 'KafkaJSUndecodableBatchError',
      retriable: false,
      topic: 'metrics-events',
      partition: 2,
      offset: '1',
      reason: expect.not.stringMatching(/Corrupt/),
      message: expect.stringMatching(
        /^cannot decode the record batch of metrics-events partition 2 at offset 1: /,
      ),
    });
  });

  it('refuses a batch that still decodes but fails its CRC, naming where and why', async () => {
    const good = await batchAt(0, CompressionTypes.None, ['a']);
    const bad = await batchAt(1, CompressionTypes.None, ['{"value":245.5}']);
    // One digit of the value changed, as one flipped bit would: the records would decode, wrong.
    const at = bad.indexOf('245.5');
    bad[at] = '3'.charCodeAt(0);
    await expect(decode(fetchResponse('metrics-events', 5, [good, bad]))).rejects.toMatchObject({
      name: 'KafkaJSUndecodableBatchError',
      topic: 'metrics-events',
      partition: 5,
      offset: '1',
      reason: 'KafkaJSCorruptBatchError',
      message: expect.stringMatching(
        /^cannot decode the record batch of metrics-events partition 5 at offset 1: CRC-32C mismatch \(stored [0-9a-f]{8}, computed [0-9a-f]{8}\)/,
      ),
    });
  });

  it('still stops quietly at a partial batch at the end of the response (maxBytes cut)', async () => {
    const good = await batchAt(0, CompressionTypes.None, ['a']);
    const partial = (await batchAt(1, CompressionTypes.None, ['b'.repeat(200)])).subarray(0, 120);
    const r = await decode(fetchResponse('t', 0, [good, partial]));
    expect(r.responses[0]!.partitions[0]!.messages.map((m) => m.offset)).toEqual(['0']);
  });
});
