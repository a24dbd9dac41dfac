// StreamMetrics patch of kafkajs 2.2.4 src/producer/groupMessagesPerPartition.js (applied on install
// by scripts/patches/apply-patches.js).
//
// Why: stock kafkajs appends each message with `[...current, message]`, copying the partition's
// list every time — quadratic in the batch size. A gateway flush of ~2,500 events over 6 partitions
// copied ~500,000 array slots; the profile showed it at 6% of the gateway's CPU. This pushes instead.
// Same result: an object from partition to its messages, in their original order.
// STREAMMETRICS-PATCH: group-messages-v1
module.exports = ({ topic, partitionMetadata, messages, partitioner }) => {
  if (partitionMetadata.length === 0) {
    return {};
  }

  const result = {};
  for (const message of messages) {
    const partition = partitioner({ topic, partitionMetadata, message });
    const current = result[partition];
    if (current === undefined) result[partition] = [message];
    else current.push(message);
  }
  return result;
};
