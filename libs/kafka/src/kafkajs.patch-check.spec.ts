import { readFileSync } from 'node:fs';
import { assertKafkajsPatched, KAFKAJS_PATCHES } from './kafkajs.patch-check';

/** The files the install's patch changes, each with the marker its added lines carry. */
function patchedByTheInstall(): { module: string; marker: string | undefined }[] {
  const diff = readFileSync(`${__dirname}/../../../scripts/patches/kafkajs+2.2.4.patch`, 'utf8');
  return diff
    .split(/^diff --git /m)
    .slice(1)
    .map((file) => ({
      module: /^a\/node_modules\/(\S+)\.js /.exec(file)?.[1] ?? file.slice(0, 80),
      marker: /^\+.*(STREAMMETRICS-PATCH: [\w.-]+)/m.exec(file)?.[1],
    }));
}

describe('the kafkajs patch check', () => {
  it('checks every patch the install applies, by the marker in its file', () => {
    const applied = patchedByTheInstall();
    expect(applied).toHaveLength(5);
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
      `kafkajs is not patched (${target}); run \`npm install\` (postinstall applies scripts/patches/kafkajs+2.2.4.patch)`,
    );
  });
});
