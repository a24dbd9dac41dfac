import { readFileSync } from 'node:fs';

/**
 * Every file scripts/patches/kafkajs+2.2.4.patch changes, by the marker its new text carries:
 * exactly-once depends on read_committed consumers never seeing aborted records, which stock
 * kafkajs 2.2.4 does not guarantee; an undecodable or corrupt batch must name where it is and stop the consumer; the
 * produce encoder, batch grouping and CRC patches carry the throughput the benchmarks report.
 * An install without them (`npm ci --ignore-scripts`) would run, slower or wrong, without a word:
 * refuse to start instead. The spec checks this list against the patch.
 */
export const KAFKAJS_PATCHES = [
  { module: 'kafkajs/src/consumer/filterAbortedMessages', marker: 'STREAMMETRICS-PATCH: read-committed-v1' },
  {
    module: 'kafkajs/src/protocol/requests/fetch/v11/response',
    marker: 'STREAMMETRICS-PATCH: undecodable-batch-v2',
  },
  {
    module: 'kafkajs/src/protocol/requests/produce/v3/request',
    marker: 'STREAMMETRICS-PATCH: produce-encoder-v1',
  },
  {
    module: 'kafkajs/src/producer/groupMessagesPerPartition',
    marker: 'STREAMMETRICS-PATCH: group-messages-v1',
  },
  {
    module: 'kafkajs/src/protocol/recordBatch/crc32C/crc32C',
    marker: 'STREAMMETRICS-PATCH: crc32c-slice-by-8-v1',
  },
] as const;

export function assertKafkajsPatched(read = (file: string) => readFileSync(file, 'utf8')): void {
  for (const { module, marker } of KAFKAJS_PATCHES) {
    const file = require.resolve(module);
    if (!read(file).includes(marker)) {
      throw new Error(
        `kafkajs is not patched (${file}); run \`npm install\` (postinstall applies scripts/patches/kafkajs+2.2.4.patch)`,
      );
    }
  }
}
