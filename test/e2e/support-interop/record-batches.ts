import { connect, type Socket } from 'node:net';
import type { Kafka } from 'kafkajs';

/** The header of one stored record batch (message format v2), as the producer wrote it. */
export interface BatchHeader {
  partition: number;
  baseOffset: number;
  lastOffset: number;
  /** Bytes of the whole batch on the wire and on disk, compressed records included. */
  sizeBytes: number;
  codec: 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
  transactional: boolean;
  control: boolean;
  producerId: bigint;
  producerEpoch: number;
  baseSequence: number;
  records: number;
}

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
const FETCH = 1;
// Fetch v4 is the oldest version that returns message format v2 batches untouched and the newest
// that needs no tagged fields; every broker from 0.11 to 3.9 answers it.
const FETCH_VERSION = 4;

/**
 * Reads the batch headers of a topic's partitions with plain Fetch requests. kafkajs decompresses
 * batches and hands out records only, so the codec, the producer id and the sequence numbers a
 * producer wrote are visible only in the raw bytes: this reads them there.
 */
export async function readBatchHeaders(kafka: Kafka, topic: string): Promise<BatchHeader[]> {
  const admin = kafka.admin();
  await admin.connect();
  let leaders: { partition: number; host: string; port: number }[];
  try {
    const [{ brokers }, metadata] = await Promise.all([
      admin.describeCluster(),
      admin.fetchTopicMetadata({ topics: [topic] }),
    ]);
    leaders = metadata.topics[0]!.partitions.map((p) => {
      const b = brokers.find((x) => x.nodeId === p.leader);
      if (!b) throw new Error(`no broker for the leader ${p.leader} of ${topic}/${p.partitionId}`);
      return { partition: p.partitionId, host: b.host, port: b.port };
    });
  } finally {
    await admin.disconnect();
  }
  const out: BatchHeader[] = [];
  for (const l of leaders) {
    const conn = await Connection.open(l.host, l.port);
    try {
      let offset = 0;
      for (;;) {
        const { highWatermark, batches } = await conn.fetch(topic, l.partition, offset);
        out.push(...batches);
        const last = batches[batches.length - 1];
        if (!last || last.lastOffset + 1 >= highWatermark) break;
        offset = last.lastOffset + 1;
      }
    } finally {
      conn.close();
    }
  }
  return out.sort((a, b) => a.partition - b.partition || a.baseOffset - b.baseOffset);
}

/** One broker connection with strictly sequential requests: enough for reading headers. */
class Connection {
  private buffered = Buffer.alloc(0);
  private waiting: ((frame: Buffer) => void) | undefined;
  private failed: Error | undefined;
  private correlationId = 0;

  private constructor(private readonly socket: Socket) {
    socket.on('data', (d: Buffer) => {
      this.buffered = Buffer.concat([this.buffered, d]);
      this.deliver();
    });
    socket.on('error', (err) => {
      this.failed = err;
    });
  }

  static open(host: string, port: number): Promise<Connection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host, port }, () => {
        s.off('error', reject);
        resolve(new Connection(s));
      });
      s.once('error', reject);
    });
  }

  close(): void {
    this.socket.destroy();
  }

  async fetch(
    topic: string,
    partition: number,
    offset: number,
  ): Promise<{ highWatermark: number; batches: BatchHeader[] }> {
    const id = ++this.correlationId;
    const w = new Writer();
    w.int16(FETCH).int16(FETCH_VERSION).int32(id).string('interop-batch-reader');
    w.int32(-1)
      .int32(0)
      .int32(0)
      .int32(64 * 1024 * 1024)
      .int8(0); // replica, max wait, min bytes, max bytes, read uncommitted
    w.int32(1)
      .string(topic)
      .int32(1)
      .int32(partition)
      .int64(offset)
      .int32(8 * 1024 * 1024);
    const frame = await this.request(w.frame());
    const r = new Reader(frame);
    if (r.int32() !== id) throw new Error('Fetch: unexpected correlation id');
    r.int32(); // throttle time
    if (r.int32() !== 1) throw new Error('Fetch: expected one topic');
    r.string();
    if (r.int32() !== 1) throw new Error('Fetch: expected one partition');
    r.int32();
    const error = r.int16();
    if (error !== 0) throw new Error(`Fetch ${topic}/${partition}@${offset}: error code ${error}`);
    const highWatermark = Number(r.int64());
    r.int64(); // last stable offset
    const aborted = r.int32();
    for (let i = 0; i < aborted; i++) r.skip(16);
    const size = r.int32();
    const records = size < 0 ? Buffer.alloc(0) : r.bytes(size);
    return { highWatermark, batches: parseBatches(partition, records) };
  }

  private request(frame: Buffer): Promise<Buffer> {
    if (this.failed) return Promise.reject(this.failed);
    return new Promise((resolve, reject) => {
      const onClose = () => reject(this.failed ?? new Error('connection closed'));
      this.socket.once('close', onClose);
      this.waiting = (f) => {
        this.socket.off('close', onClose);
        resolve(f);
      };
      this.socket.write(frame);
      this.deliver();
    });
  }

  private deliver(): void {
    if (!this.waiting || this.buffered.length < 4) return;
    const size = this.buffered.readInt32BE(0);
    if (this.buffered.length < 4 + size) return;
    const f = this.buffered.subarray(4, 4 + size);
    this.buffered = this.buffered.subarray(4 + size);
    const w = this.waiting;
    this.waiting = undefined;
    w(Buffer.from(f));
  }
}

/**
 * Record batch v2: baseOffset int64, batchLength int32, partitionLeaderEpoch int32, magic int8,
 * crc uint32, attributes int16 (codec in bits 0–2, transactional bit 4, control bit 5),
 * lastOffsetDelta int32, two int64 timestamps, producerId int64, producerEpoch int16,
 * baseSequence int32, record count int32, then the (possibly compressed) records. A fetch may end
 * in a partial batch, which is left for the next fetch.
 */
function parseBatches(partition: number, buf: Buffer): BatchHeader[] {
  const out: BatchHeader[] = [];
  let at = 0;
  while (at + 61 <= buf.length) {
    const baseOffset = Number(buf.readBigInt64BE(at));
    const batchLength = buf.readInt32BE(at + 8);
    if (at + 12 + batchLength > buf.length) break;
    const magic = buf.readInt8(at + 16);
    if (magic !== 2) throw new Error(`${partition}@${baseOffset}: message format v${magic}, expected v2`);
    const attributes = buf.readInt16BE(at + 21);
    out.push({
      partition,
      baseOffset,
      lastOffset: baseOffset + buf.readInt32BE(at + 23),
      sizeBytes: 12 + batchLength,
      codec: CODECS[attributes & 0x07] ?? 'none',
      transactional: (attributes & 0x10) !== 0,
      control: (attributes & 0x20) !== 0,
      producerId: buf.readBigInt64BE(at + 43),
      producerEpoch: buf.readInt16BE(at + 51),
      baseSequence: buf.readInt32BE(at + 53),
      records: buf.readInt32BE(at + 57),
    });
    at += 12 + batchLength;
  }
  return out;
}

class Writer {
  private readonly parts: Buffer[] = [];

  int8(v: number): this {
    const b = Buffer.alloc(1);
    b.writeInt8(v);
    return this.push(b);
  }

  int16(v: number): this {
    const b = Buffer.alloc(2);
    b.writeInt16BE(v);
    return this.push(b);
  }

  int32(v: number): this {
    const b = Buffer.alloc(4);
    b.writeInt32BE(v);
    return this.push(b);
  }

  int64(v: number): this {
    const b = Buffer.alloc(8);
    b.writeBigInt64BE(BigInt(v));
    return this.push(b);
  }

  string(s: string): this {
    const bytes = Buffer.from(s, 'utf8');
    return this.int16(bytes.length).push(bytes);
  }

  frame(): Buffer {
    const body = Buffer.concat(this.parts);
    const size = Buffer.alloc(4);
    size.writeInt32BE(body.length);
    return Buffer.concat([size, body]);
  }

  private push(b: Buffer): this {
    this.parts.push(b);
    return this;
  }
}

class Reader {
  private at = 0;

  constructor(private readonly buf: Buffer) {}

  int16(): number {
    const v = this.buf.readInt16BE(this.at);
    this.at += 2;
    return v;
  }

  int32(): number {
    const v = this.buf.readInt32BE(this.at);
    this.at += 4;
    return v;
  }

  int64(): bigint {
    const v = this.buf.readBigInt64BE(this.at);
    this.at += 8;
    return v;
  }

  string(): string {
    const n = this.int16();
    return this.bytes(n).toString('utf8');
  }

  bytes(n: number): Buffer {
    const b = this.buf.subarray(this.at, this.at + n);
    this.at += n;
    return b;
  }

  skip(n: number): void {
    this.at += n;
  }
}
