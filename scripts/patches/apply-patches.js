#!/usr/bin/env node
// Applies the project's patches to installed dependencies (run by npm's postinstall). Idempotent.
// Each patch replaces one file whose upstream version we pin exactly in package.json.
const { copyFileSync, existsSync, readFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..', '..');
const patches = [
  {
    pkg: 'kafkajs',
    version: '2.2.4',
    target: 'src/consumer/filterAbortedMessages.js',
    source: join(__dirname, 'kafkajs-filterAbortedMessages.js'),
  },
  {
    pkg: 'kafkajs',
    version: '2.2.4',
    target: 'src/protocol/requests/produce/v3/request.js',
    source: join(__dirname, 'kafkajs-produce-v3-request.js'),
  },
  {
    pkg: 'kafkajs',
    version: '2.2.4',
    target: 'src/producer/groupMessagesPerPartition.js',
    source: join(__dirname, 'kafkajs-groupMessagesPerPartition.js'),
  },
  {
    pkg: 'kafkajs',
    version: '2.2.4',
    target: 'src/protocol/requests/fetch/v11/response.js',
    source: join(__dirname, 'kafkajs-fetch-v11-response.js'),
  },
  {
    pkg: 'kafkajs',
    version: '2.2.4',
    target: 'src/protocol/recordBatch/crc32C/crc32C.js',
    source: join(__dirname, 'kafkajs-crc32C.js'),
  },
];

/** Copies each patch over its upstream file, after checking the upstream version it was made for. */
function applyPatches() {
  for (const p of patches) {
    const dir = join(root, 'node_modules', p.pkg);
    if (!existsSync(dir)) continue;
    const version = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).version;
    if (version !== p.version) {
      console.error(`[patches] ${p.pkg} is ${version}, the patch is for ${p.version}: review ${p.source}`);
      process.exit(1);
    }
    copyFileSync(p.source, join(dir, p.target));
    console.log(`[patches] ${p.pkg}/${p.target} patched`);
  }
}

module.exports = { patches };
if (require.main === module) applyPatches();
