import { closeSync, existsSync, openSync, readdirSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigResourceTypes, type Kafka } from 'kafkajs';

/** Bytes before a batch's records section: offset, length, epoch, magic, crc, attributes, ... */
const RECORDS_AT = 61;

/**
 * Overwrites bytes at the start of the records section of the batch with `baseOffset` in the local
 * broker's segment file, as a failing disk or a bad copy would. The broker checks CRCs when a batch
 * is produced, not when it is served, so consumers get the damaged batch as it is on disk.
 */
export async function corruptBatch(
  kafka: Kafka,
  topic: string,
  partition: number,
  baseOffset: bigint,
  bytes: Buffer,
): Promise<void> {
  const dir = join(await logDir(kafka), `${topic}-${partition}`);
  if (!existsSync(dir)) {
    throw new Error(
      `no segment directory ${dir}: this test needs a broker whose log.dirs are on this machine`,
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

/** Where the broker keeps its segments (its `log.dirs`; the local stack's has one). */
async function logDir(kafka: Kafka): Promise<string> {
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { brokers } = await admin.describeCluster();
    const { resources } = await admin.describeConfigs({
      resources: [
        { type: ConfigResourceTypes.BROKER, name: String(brokers[0]?.nodeId), configNames: ['log.dirs'] },
      ],
      includeSynonyms: false,
    });
    const dirs = resources[0]?.configEntries.find((e) => e.configName === 'log.dirs')?.configValue;
    if (!dirs) throw new Error('the broker does not report its log.dirs');
    return dirs.split(',')[0] as string;
  } finally {
    await admin.disconnect();
  }
}
