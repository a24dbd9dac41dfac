import { readFileSync } from 'node:fs';

/**
 * Patches the platform cannot run without (see scripts/patches): exactly-once depends on
 * read_committed consumers never seeing aborted records, which stock kafkajs 2.2.4 does not
 * guarantee; and a batch that cannot be decoded must name its topic, partition and offset and stop
 * the consumer for good instead of looping. Refuse to run on an unpatched install.
 */
const REQUIRED = [
  { module: 'kafkajs/src/consumer/filterAbortedMessages', marker: 'STREAMMETRICS-PATCH: read-committed-v1' },
  {
    module: 'kafkajs/src/protocol/requests/fetch/v11/response',
    marker: 'STREAMMETRICS-PATCH: undecodable-batch-v2',
  },
];

export function assertKafkajsPatched(): void {
  for (const { module, marker } of REQUIRED) {
    const file = require.resolve(module);
    if (!readFileSync(file, 'utf8').includes(marker)) {
      throw new Error(
        `kafkajs is not patched (${file}); run \`npm install\` (postinstall applies scripts/patches)`,
      );
    }
  }
}
