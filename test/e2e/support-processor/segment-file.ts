import { closeSync, existsSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { KAFKA_DATA } from '../../../scripts/stack/stack.paths';

/** Bytes before a batch's records section: offset, length, epoch, magic, crc, attributes, ... */
const RECORDS_AT = 61;

/**
 * Overwrites bytes at the start of the records section of the batch with `baseOffset` in the local
 * broker's segment file, as a failing disk or a bad copy would. The broker checks CRCs when a batch
 * is produced, not when it is served, so consumers get the damaged batch as it is on disk.
 */
export function corruptBatch(topic: string, partition: number, baseOffset: bigint, bytes: Buffer): void {
  const dir = join(KAFKA_DATA, `${topic}-${partition}`);
  if (!existsSync(dir)) {
    throw new Error(
      `no segment directory ${dir}: this test needs the project's local broker (npm run stack)`,
    );
  }
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.log'))) {
    const fd = openSync(join(dir, name), 'r+');
    try {
      const head = Buffer.alloc(12);
      let pos = 0;
      while (readSync(fd, head, 0, 12, pos) === 12) {
        const offset = head.readBigInt64BE(0);
        const length = head.readInt32BE(8);
        if (offset === baseOffset) {
          writeSync(fd, bytes, 0, bytes.length, pos + RECORDS_AT);
          return;
        }
        pos += 12 + length;
      }
    } finally {
      closeSync(fd);
    }
  }
  throw new Error(`no batch at offset ${baseOffset} in ${dir}`);
}
