// StreamMetrics patch of kafkajs 2.2.4 src/consumer/filterAbortedMessages.js (applied on install by
// scripts/patches/apply-patches.js; libs/kafka refuses to start without it).
//
// Why: kafkajs activates at most ONE aborted transaction per message and assumes the broker's
// aborted-transaction list is sorted by first offset. With several transactional producers writing
// to one partition (one per input partition, as exactly-once processing requires), aborted
// transactions overlap, and records of aborted transactions reached read_committed consumers —
// found by the exactly-once crash test. This follows the Java consumer (Fetcher/CompletedFetch):
// every aborted transaction whose first offset is at or before the record is active until that
// producer's abort marker.
// STREAMMETRICS-PATCH: read-committed-v1
const Long = require('../utils/long');
const ABORTED_MESSAGE_KEY = Buffer.from([0, 0, 0, 0]);

const isAbortMarker = (message) =>
  Boolean(message.isControlRecord && message.key) && Buffer.from(message.key).equals(ABORTED_MESSAGE_KEY);

module.exports = ({ messages, abortedTransactions }) => {
  if (!abortedTransactions || !abortedTransactions.length) {
    return messages;
  }
  const pending = [...abortedTransactions].sort((a, b) =>
    Long.fromValue(a.firstOffset).compare(Long.fromValue(b.firstOffset)),
  );
  const aborted = new Set();
  return messages.filter((message) => {
    const offset = Long.fromValue(message.offset);
    while (pending.length && offset.gte(Long.fromValue(pending[0].firstOffset))) {
      aborted.add(String(pending.shift().producerId));
    }
    const { producerId, inTransaction } = message.batchContext;
    if (isAbortMarker(message)) {
      aborted.delete(String(producerId));
      return true;
    }
    return !(inTransaction && aborted.has(String(producerId)));
  });
};
