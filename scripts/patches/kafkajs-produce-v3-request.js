// StreamMetrics patch of kafkajs 2.2.4 src/protocol/requests/produce/v3/request.js (applied on install
// by scripts/patches/apply-patches.js). Produce v4..v7 reuse this encoder.
//
// Why: stock kafkajs builds every record in its own growing Encoder, writes each varint through a
// fresh Buffer.from([...]), does 64-bit varints with Long objects, copies each record into the batch,
// the batch into a second encoder, and checksums byte by byte. Profiles of the stream processor and
// the ingest gateway put a quarter of their CPU there. This version, for uncompressed batches only,
// sizes the whole record batch first and writes it once into one buffer, with a slice-by-8 CRC32C.
// The bytes are identical to stock kafkajs (scripts/patches/kafkajs-produce-v3-request.spec.ts
// compares them); compressed batches take the stock path unchanged.
// STREAMMETRICS-PATCH: produce-encoder-v1
const Long = require('../../../../utils/long');
const Encoder = require('../../../encoder');
const { Produce: apiKey } = require('../../apiKeys');
const { Types } = require('../../../message/compression');
const RecordV0 = require('../../../recordBatch/record/v0');
const { RecordBatch } = require('../../../recordBatch/v0');
// The slice-by-8 CRC-32C of the crc32C patch (kafkajs-crc32C.js), over a range of the buffer.
const crc32c = require('../../../recordBatch/crc32C/crc32C');

/**
 * Produce Request (Version: 3) => transactional_id acks timeout [topic_data]
 *   transactional_id => NULLABLE_STRING
 *   acks => INT16
 *   timeout => INT32
 *   topic_data => topic [data]
 *     topic => STRING
 *     data => partition record_set
 *       partition => INT32
 *       record_set => RECORDS
 */

/**
 * @param [transactionalId=null] {String} The transactional id or null if the producer is not transactional
 * @param acks {Integer} See producer request v0
 * @param timeout {Integer} See producer request v0
 * @param [compression=CompressionTypes.None] {CompressionTypes}
 * @param topicData {Array}
 */
module.exports = ({
  acks,
  timeout,
  transactionalId = null,
  producerId = Long.fromInt(-1),
  producerEpoch = 0,
  compression = Types.None,
  topicData,
}) => ({
  apiKey,
  apiVersion: 3,
  apiName: 'Produce',
  expectResponse: () => acks !== 0,
  encode: async () => {
    const encodeTopic = topicEncoder(compression);
    const encodedTopicData = [];

    for (const data of topicData) {
      encodedTopicData.push(await encodeTopic({ ...data, transactionalId, producerId, producerEpoch }));
    }

    return new Encoder()
      .writeString(transactionalId)
      .writeInt16(acks)
      .writeInt32(timeout)
      .writeArray(encodedTopicData);
  },
});

const topicEncoder =
  (compression) =>
  async ({ topic, partitions, transactionalId, producerId, producerEpoch }) => {
    const encodePartitions = partitionsEncoder(compression);
    const encodedPartitions = [];

    for (const data of partitions) {
      encodedPartitions.push(await encodePartitions({ ...data, transactionalId, producerId, producerEpoch }));
    }

    return new Encoder().writeString(topic).writeArray(encodedPartitions);
  };

// First and max timestamp of a batch by stock kafkajs' rule (including its default, string-order
// sort); both encoding paths use it, so they stamp batches alike.
const batchTimestamps = (messages) => {
  const dateNow = Date.now();
  const stamped = messages
    .map((m) => m.timestamp)
    .filter((timestamp) => timestamp != null)
    .sort();
  const timestamps = stamped.length === 0 ? [dateNow] : stamped;
  return { dateNow, firstTimestamp: timestamps[0], maxTimestamp: timestamps[timestamps.length - 1] };
};

const partitionsEncoder =
  (compression) =>
  async ({ partition, messages, transactionalId, firstSequence, producerId, producerEpoch }) => {
    if (compression === Types.None) {
      return encodePartitionFast({
        partition,
        messages,
        transactionalId,
        firstSequence,
        producerId,
        producerEpoch,
      });
    }
    const { dateNow, firstTimestamp, maxTimestamp } = batchTimestamps(messages);

    const records = messages.map((message, i) =>
      RecordV0({
        ...message,
        offsetDelta: i,
        timestampDelta: (message.timestamp || dateNow) - firstTimestamp,
      }),
    );

    const recordBatch = await RecordBatch({
      compression,
      records,
      firstTimestamp,
      maxTimestamp,
      producerId,
      producerEpoch,
      firstSequence,
      transactional: !!transactionalId,
      lastOffsetDelta: records.length - 1,
    });

    return new Encoder().writeInt32(partition).writeInt32(recordBatch.size()).writeEncoder(recordBatch);
  };

// ---------------------------------------------------------------------------------------------
// Fast path: one pass to size, one allocation, one pass to write.

const MAGIC_BYTE = 2;
const TRANSACTIONAL_MASK = 16;
// attributes .. record count: the part the CRC covers before the records
const BATCH_HEADER = 2 + 4 + 8 + 8 + 8 + 2 + 4 + 4;

const zigzag32 = (v) => ((v << 1) ^ (v >> 31)) >>> 0;
// 64-bit zigzag on doubles: exact for |v| < 2^52, far beyond any millisecond timestamp delta.
const zigzag64 = (v) => (v >= 0 ? v * 2 : -v * 2 - 1);

const sizeOfUVarInt = (u) => {
  let n = 1;
  while (u >= 128) {
    u = Math.floor(u / 128);
    n++;
  }
  return n;
};

const writeUVarInt = (buf, at, u) => {
  while (u >= 128) {
    buf[at++] = (u % 128) | 128;
    u = Math.floor(u / 128);
  }
  buf[at++] = u;
  return at;
};

// Key, value and header values: null/undefined -> -1, Buffer as is, anything else String()-ed.
const bytesOf = (v) => (v == null ? null : Buffer.isBuffer(v) ? v : String(v));
const lengthOf = (v) => (v === null ? -1 : typeof v === 'string' ? Buffer.byteLength(v, 'utf8') : v.length);

const writeBytes = (buf, at, v, len) => {
  at = writeUVarInt(buf, at, zigzag32(len));
  if (v === null) return at;
  if (typeof v === 'string') return at + buf.utf8Write(v, at, len);
  v.copy(buf, at);
  return at + len;
};

const headerList = (headers) => {
  if (headers == null) return EMPTY;
  const keys = Object.keys(headers);
  if (keys.length === 0) return EMPTY;
  const out = [];
  for (const key of keys) {
    const value = headers[key];
    if (Array.isArray(value)) for (const v of value) out.push(key, bytesOf(v));
    else out.push(key, bytesOf(value));
  }
  return out;
};
const EMPTY = [];

const writeInt64 = (buf, at, value) => {
  const long = Long.fromValue(value);
  buf.writeInt32BE(long.getHighBits(), at);
  buf.writeInt32BE(long.getLowBits(), at + 4);
  return at + 8;
};

const encodePartitionFast = ({
  partition,
  messages,
  transactionalId,
  firstSequence = 0,
  producerId = Long.fromValue(-1),
  producerEpoch = 0,
}) => {
  const { dateNow, firstTimestamp, maxTimestamp } = batchTimestamps(messages);
  const first = Number(firstTimestamp);

  const n = messages.length;
  const keys = new Array(n);
  const values = new Array(n);
  const keyLens = new Array(n);
  const valueLens = new Array(n);
  const deltas = new Array(n);
  const bodies = new Array(n);
  const headerLists = new Array(n);
  let recordsSize = 0;
  for (let i = 0; i < n; i++) {
    const m = messages[i];
    const key = bytesOf(m.key);
    const value = bytesOf(m.value);
    const keyLen = lengthOf(key);
    const valueLen = lengthOf(value);
    const delta = zigzag64((m.timestamp || dateNow) - first);
    const headers = headerList(m.headers);
    let headersSize = sizeOfUVarInt(zigzag32(headers.length / 2));
    for (let h = 0; h < headers.length; h += 2) {
      const hk = Buffer.byteLength(headers[h], 'utf8');
      const hv = lengthOf(headers[h + 1]);
      headersSize += sizeOfUVarInt(zigzag32(hk)) + hk + sizeOfUVarInt(zigzag32(hv)) + Math.max(hv, 0);
    }
    const body =
      1 +
      sizeOfUVarInt(delta) +
      sizeOfUVarInt(zigzag32(i)) +
      sizeOfUVarInt(zigzag32(keyLen)) +
      Math.max(keyLen, 0) +
      sizeOfUVarInt(zigzag32(valueLen)) +
      Math.max(valueLen, 0) +
      headersSize;
    keys[i] = key;
    values[i] = value;
    keyLens[i] = keyLen;
    valueLens[i] = valueLen;
    deltas[i] = delta;
    bodies[i] = body;
    headerLists[i] = headers;
    recordsSize += sizeOfUVarInt(zigzag32(body)) + body;
  }

  const batchLength = 4 + 1 + 4 + BATCH_HEADER + recordsSize;
  const recordSetSize = 8 + 4 + batchLength;
  const buf = Buffer.allocUnsafe(8 + recordSetSize);
  let at = 0;
  buf.writeInt32BE(partition, at);
  buf.writeInt32BE(recordSetSize, at + 4);
  at = writeInt64(buf, at + 8, 0); // base offset
  buf.writeInt32BE(batchLength, at);
  buf.writeInt32BE(0, at + 4); // partition leader epoch
  buf[at + 8] = MAGIC_BYTE;
  const crcAt = at + 9;
  const crcFrom = crcAt + 4;
  at = crcFrom;
  buf.writeInt16BE(transactionalId ? TRANSACTIONAL_MASK : 0, at);
  buf.writeInt32BE(n - 1, at + 2); // last offset delta
  at = writeInt64(buf, at + 6, firstTimestamp);
  at = writeInt64(buf, at, maxTimestamp);
  at = writeInt64(buf, at, producerId);
  buf.writeInt16BE(producerEpoch, at);
  buf.writeInt32BE(firstSequence, at + 2);
  buf.writeInt32BE(n, at + 6);
  at += 10;
  for (let i = 0; i < n; i++) {
    at = writeUVarInt(buf, at, zigzag32(bodies[i]));
    buf[at++] = 0; // record attributes
    at = writeUVarInt(buf, at, deltas[i]);
    at = writeUVarInt(buf, at, zigzag32(i));
    at = writeBytes(buf, at, keys[i], keyLens[i]);
    at = writeBytes(buf, at, values[i], valueLens[i]);
    const headers = headerLists[i];
    at = writeUVarInt(buf, at, zigzag32(headers.length / 2));
    for (let h = 0; h < headers.length; h += 2) {
      const hk = headers[h];
      at = writeBytes(buf, at, hk, Buffer.byteLength(hk, 'utf8'));
      const hv = headers[h + 1];
      at = writeBytes(buf, at, hv, lengthOf(hv));
    }
  }
  if (at !== buf.length) {
    throw new Error(`produce encoder: wrote ${at} of ${buf.length} bytes (a sizing bug)`);
  }
  buf.writeUInt32BE(crc32c(buf, crcFrom, at), crcAt);

  // An Encoder holding exactly these bytes, so the topic and request encoders take it as usual.
  const encoder = Object.create(Encoder.prototype);
  encoder.buf = buf;
  encoder.offset = buf.length;
  return encoder;
};
