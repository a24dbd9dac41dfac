// STREAMMETRICS-PATCH: undecodable-batch-v2
// kafkajs 2.2.4 src/protocol/requests/fetch/v11/response.js, patched. Stock kafkajs lets an error
// from decoding one record batch (an unknown codec, a corrupt compressed payload) escape the whole
// fetch response with no word of where it came from, and the consumer then stops or restarts in a
// loop. Here such an error becomes a KafkaJSUndecodableBatchError that names the topic, partition
// and first offset of the batch, and is not retriable: fetching the same bytes again cannot help.
// Stock kafkajs checks no CRC either, so a batch damaged on disk or on the way could decode into
// wrong records (a changed digit is a changed sum) without a word. Each complete v2 batch's CRC-32C
// is checked here first, as the Java consumer does by default (check.crcs=true).
// Everything else is stock; v4's decodeMessages is inlined so the batch's offset is at hand.
const Decoder = require('../../../decoder');
const { parse: parseV1 } = require('../v1/response');
const MessageSetDecoder = require('../../../messageSet/decoder');
const RecordBatchDecoder = require('../../../recordBatch/v0/decoder');
const { MAGIC_BYTE } = require('../../../recordBatch/v0');
const { KafkaJSNonRetriableError } = require('../../../../errors');
const crc32C = require('../../../recordBatch/crc32C');

const MAGIC_OFFSET = 16;
const RECORD_BATCH_OVERHEAD = 49;
// In a v2 batch: baseOffset int64, batchLength int32, partitionLeaderEpoch int32, magic int8, then
// the CRC, which covers everything from the attributes that follow it to the end of the batch.
const LOG_OVERHEAD = 12;
const CRC_OFFSET = 17;
const CRC_COVERS_FROM = 21;

class KafkaJSCorruptBatchError extends Error {
  constructor(stored, computed) {
    super(
      `CRC-32C mismatch (stored ${stored.toString(16).padStart(8, '0')}, computed ${computed
        .toString(16)
        .padStart(8, '0')}): the batch was damaged on disk or on the way`,
    );
    this.name = 'KafkaJSCorruptBatchError';
  }
}

/** Throws KafkaJSCorruptBatchError when the complete batch at `start` fails its CRC. */
const checkCrc = (buffer, start) => {
  const end = start + LOG_OVERHEAD + buffer.readInt32BE(start + 8);
  if (end > buffer.length) return; // partial (maxBytes cut): the decoder stops there
  const stored = buffer.readUInt32BE(start + CRC_OFFSET);
  const computed = crc32C(buffer.subarray(start + CRC_COVERS_FROM, end));
  if (stored !== computed) throw new KafkaJSCorruptBatchError(stored, computed);
};

class KafkaJSUndecodableBatchError extends KafkaJSNonRetriableError {
  constructor(topic, partition, offset, cause) {
    super(
      `cannot decode the record batch of ${topic} partition ${partition} at offset ${offset}: ${
        cause && cause.message ? cause.message : cause
      }`,
    );
    this.name = 'KafkaJSUndecodableBatchError';
    this.topic = topic;
    this.partition = partition;
    this.offset = offset;
    this.reason = cause && cause.name ? cause.name : 'Error';
    // Kept off `cause` on purpose: kafkajs decides whether to restart a crashed consumer from the
    // innermost cause's `retriable`, and a KafkaJSError cause would say true and loop forever.
    this.originalError = cause;
  }
}

const decodeMessages = async (decoder, topic, partition) => {
  const messagesSize = decoder.readInt32();

  if (messagesSize <= 0 || !decoder.canReadBytes(messagesSize)) {
    return [];
  }

  const messagesBuffer = decoder.readBytes(messagesSize);
  const messagesDecoder = new Decoder(messagesBuffer);
  const magicByte = messagesBuffer.slice(MAGIC_OFFSET).readInt8(0);

  if (magicByte === MAGIC_BYTE) {
    const records = [];

    while (messagesDecoder.canReadBytes(RECORD_BATCH_OVERHEAD)) {
      const batchOffset = messagesDecoder.buffer.readBigInt64BE(messagesDecoder.offset).toString();
      try {
        checkCrc(messagesDecoder.buffer, messagesDecoder.offset);
        const recordBatch = await RecordBatchDecoder(messagesDecoder);
        records.push(...recordBatch.records);
      } catch (e) {
        // The tail of the record batches can be incomplete because of how maxBytes works.
        if (e.name === 'KafkaJSPartialMessageError') {
          break;
        }
        throw new KafkaJSUndecodableBatchError(topic, partition, batchOffset, e);
      }
    }

    return records;
  }

  try {
    return await MessageSetDecoder(messagesDecoder, messagesSize);
  } catch (e) {
    throw new KafkaJSUndecodableBatchError(topic, partition, 'unknown (legacy message set)', e);
  }
};

const decodeAbortedTransactions = (decoder) => ({
  producerId: decoder.readInt64().toString(),
  firstOffset: decoder.readInt64().toString(),
});

const decodePartition = (topic) => async (decoder) => {
  const partition = decoder.readInt32();
  return {
    partition,
    errorCode: decoder.readInt16(),
    highWatermark: decoder.readInt64().toString(),
    lastStableOffset: decoder.readInt64().toString(),
    lastStartOffset: decoder.readInt64().toString(),
    abortedTransactions: decoder.readArray(decodeAbortedTransactions),
    preferredReadReplica: decoder.readInt32(),
    messages: await decodeMessages(decoder, topic, partition),
  };
};

const decodeResponse = async (decoder) => {
  const topicName = decoder.readString();
  return {
    topicName,
    partitions: await decoder.readArrayAsync(decodePartition(topicName)),
  };
};

const decode = async (rawData) => {
  const decoder = new Decoder(rawData);
  const clientSideThrottleTime = decoder.readInt32();
  const errorCode = decoder.readInt16();
  const sessionId = decoder.readInt32();
  const responses = await decoder.readArrayAsync(decodeResponse);

  // Report a `throttleTime` of 0: The broker will not have throttled
  // this request, but if the `clientSideThrottleTime` is >0 then it
  // expects us to do that -- and it will ignore requests.
  return {
    throttleTime: 0,
    clientSideThrottleTime,
    errorCode,
    sessionId,
    responses,
  };
};

module.exports = {
  decode,
  parse: parseV1,
  KafkaJSUndecodableBatchError,
};
