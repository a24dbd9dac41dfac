// The installed (patched, see apply-patches.js) CRC-32C of kafkajs: the checksum every record batch
// carries, so it must equal the reference bit for bit.
/* eslint-disable @typescript-eslint/no-require-imports */
import { randomBytes } from 'node:crypto';

const crc32C = require('kafkajs/src/protocol/recordBatch/crc32C') as (b: Buffer) => number;
const ranged = require('kafkajs/src/protocol/recordBatch/crc32C/crc32C') as (
  b: Buffer,
  from?: number,
  to?: number,
) => number;

/** The textbook bitwise CRC-32C. */
function reference(b: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of b) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

describe('crc32C (patched: slice by 8)', () => {
  it('is the patched implementation', () => {
    const source = require('node:fs').readFileSync(
      require.resolve('kafkajs/src/protocol/recordBatch/crc32C/crc32C'),
      'utf8',
    ) as string;
    expect(source).toContain('STREAMMETRICS-PATCH: crc32c-slice-by-8-v1');
  });

  it('gives the standard check value and the empty input', () => {
    expect(crc32C(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32C(Buffer.alloc(0))).toBe(0);
  });

  it('equals the bitwise reference on every length around the 8-byte steps', () => {
    const data = randomBytes(4096);
    for (const len of [1, 2, 7, 8, 9, 15, 16, 17, 63, 64, 65, 1000, 4095, 4096]) {
      const b = data.subarray(0, len);
      expect([len, crc32C(b)]).toEqual([len, reference(b)]);
    }
    // An unaligned view into a larger buffer, as a batch inside a fetch response is.
    const view = data.subarray(3, 3 + 333);
    expect(crc32C(view)).toBe(reference(view));
  });

  it('computes a range of a buffer as the produce encoder asks for it, at every start and length', () => {
    const data = randomBytes(300);
    for (let from = 0; from < 9; from++) {
      for (let len = 0; len < 290; len += 7) {
        expect(ranged(data, from, from + len)).toBe(reference(data.subarray(from, from + len)));
      }
    }
  });
});
