import { readFileSync } from 'node:fs';
import { assertKafkajsPatched, KAFKAJS_PATCHES } from './kafkajs.patch-check';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { patches } = require('../../../scripts/patches/apply-patches.js') as {
  patches: { pkg: string; target: string; source: string }[];
};

describe('the kafkajs patch check', () => {
  it('checks every patch the install applies, by the marker in its file', () => {
    const applied = patches.map((p) => ({
      module: `${p.pkg}/${p.target.replace(/\.js$/, '')}`,
      marker: /STREAMMETRICS-PATCH: [\w.-]+/.exec(readFileSync(p.source, 'utf8'))?.[0],
    }));
    expect([...KAFKAJS_PATCHES].sort((a, b) => a.module.localeCompare(b.module))).toEqual(
      applied.sort((a, b) => a.module.localeCompare(b.module)),
    );
  });

  it('passes on this install (postinstall applied them)', () => {
    expect(() => assertKafkajsPatched()).not.toThrow();
  });

  it('names the file of a patch that is missing', () => {
    const target = require.resolve('kafkajs/src/producer/groupMessagesPerPartition');
    const stockFile = (file: string) => {
      const text = readFileSync(file, 'utf8');
      return file === target ? text.replace(/STREAMMETRICS-PATCH/g, 'stock') : text;
    };
    expect(() => assertKafkajsPatched(stockFile)).toThrow(
      `kafkajs is not patched (${target}); run \`npm install\` (postinstall applies scripts/patches)`,
    );
  });
});
