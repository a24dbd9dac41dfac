import { readFileSync } from 'node:fs';

/**
 * Exactly-once depends on read_committed consumers never seeing aborted records, which stock
 * kafkajs 2.2.4 does not guarantee (see scripts/patches/kafkajs-filterAbortedMessages.js). Refuse
 * to run on an unpatched install rather than silently double-count.
 */
export function assertKafkajsPatched(): void {
  const file = require.resolve('kafkajs/src/consumer/filterAbortedMessages');
  if (!readFileSync(file, 'utf8').includes('STREAMMETRICS-PATCH: read-committed-v1')) {
    throw new Error(
      `kafkajs is not patched (${file}); run \`npm install\` (postinstall applies scripts/patches)`,
    );
  }
}
