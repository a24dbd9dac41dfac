import * as zlib from 'node:zlib';
import { promisify } from 'node:util';
import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import SnappyCodec from 'kafkajs-snappy';
import * as lz4 from 'lz4js';
import * as xxh32 from 'lz4js/xxh32';
import { decompress as zstdDecompressJs } from 'fzstd';
import type { KafkaCompression } from '@streammetrics/config';

/** kafkajs' codec shape: `compress` gets its encoder (the uncompressed records in `.buffer`). */
interface Codec {
  compress(encoder: { buffer: Buffer }): Promise<Buffer>;
  decompress(buffer: Buffer): Promise<Buffer>;
}

/**
 * Node's zlib speaks zstd from 22.15 / 23.8 on; where it does, it does both directions natively.
 * Older runtimes decompress with fzstd (pure JS) and cannot write zstd: a producer configured for it
 * fails at start with a clear message instead of at its first send.
 */
const nativeZstd = zlib as unknown as {
  zstdCompress?: (b: Buffer, cb: (e: Error | null, r: Buffer) => void) => void;
  zstdDecompress?: (b: Buffer, cb: (e: Error | null, r: Buffer) => void) => void;
};
export const ZSTD_WRITABLE = typeof nativeZstd.zstdCompress === 'function';

const zstdCodec = (): Codec => {
  const compress = nativeZstd.zstdCompress ? promisify(nativeZstd.zstdCompress) : undefined;
  const decompress = nativeZstd.zstdDecompress ? promisify(nativeZstd.zstdDecompress) : undefined;
  return {
    compress(encoder) {
      if (!compress) return Promise.reject(new Error(ZSTD_UNWRITABLE));
      return compress(encoder.buffer);
    },
    async decompress(buffer) {
      if (decompress) return decompress(buffer);
      const out = zstdDecompressJs(buffer);
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    },
  };
};

/** lz4js' block size (its default, 4 MiB): an input up to this is one block in the frame. */
const LZ4_MAX_BLOCK = 4 * 1024 * 1024;

/**
 * Kafka's LZ4 is the LZ4 frame format with independent blocks; lz4js reads every frame and writes
 * one whose flags say "dependent blocks", which the broker refuses. A record set of up to one block
 * is independent by definition, so the flag is set and the header checksum redone; larger record
 * sets are far above any broker's message size limit and are refused here with a clear message.
 */
function lz4Frame(src: Buffer): Buffer {
  if (src.length > LZ4_MAX_BLOCK)
    throw new Error(`lz4: a record set of ${src.length} bytes exceeds one 4 MiB block`);
  const frame = Buffer.from(lz4.compress(src));
  frame[4] = (frame[4] ?? 0) | 0x20; // FLG: block independence
  frame[6] = (xxh32.hash(0, frame, 4, 2) >>> 8) & 0xff; // header checksum over FLG and BD
  return frame;
}

const lz4Codec = (): Codec => ({
  compress: async (encoder) => lz4Frame(encoder.buffer),
  async decompress(buffer) {
    const out = lz4.decompress(buffer);
    return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
  },
});

const ZSTD_UNWRITABLE =
  'zstd compression needs node:zlib zstd (Node.js >= 22.15); this runtime only reads zstd batches';

let registered = false;

/**
 * Teaches kafkajs every codec a stock Kafka producer may use. kafkajs ships gzip only and throws on
 * any other batch, which stops the consumer that fetched it; every client of ours is built through
 * createKafka, which calls this first.
 */
export function registerCompressionCodecs(): void {
  if (registered) return;
  registered = true;
  const codecs = CompressionCodecs as unknown as Record<number, () => Codec>;
  codecs[CompressionTypes.Snappy] = SnappyCodec as () => Codec;
  codecs[CompressionTypes.LZ4] = lz4Codec;
  codecs[CompressionTypes.ZSTD] = zstdCodec;
}

const TYPES: Record<KafkaCompression, CompressionTypes> = {
  none: CompressionTypes.None,
  gzip: CompressionTypes.GZIP,
  snappy: CompressionTypes.Snappy,
  lz4: CompressionTypes.LZ4,
  zstd: CompressionTypes.ZSTD,
};

/** The kafkajs compression of a configured codec name; refuses one this runtime cannot write. */
export function compressionOf(name: KafkaCompression): CompressionTypes {
  if (name === 'zstd' && !ZSTD_WRITABLE) throw new Error(`KAFKA_COMPRESSION=zstd: ${ZSTD_UNWRITABLE}`);
  return TYPES[name];
}
