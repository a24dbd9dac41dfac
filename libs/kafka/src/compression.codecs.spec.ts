import { CompressionCodecs, CompressionTypes } from 'kafkajs';
import { compressionOf, registerCompressionCodecs, ZSTD_WRITABLE } from './compression.codecs';

registerCompressionCodecs();
const codec = (t: CompressionTypes) =>
  (
    CompressionCodecs as unknown as Record<
      number,
      () => { compress(e: { buffer: Buffer }): Promise<Buffer>; decompress(b: Buffer): Promise<Buffer> }
    >
  )[t]!();

const EVENT =
  '{"eventId":"e1","timestamp":1707267600000,"serviceId":"payment-service","metricName":"api.request.duration","value":245.5}';

// Made by the reference command-line tools (`zstd -c`, `lz4 -c`) from EVENT: frames written by an
// independent implementation, as a Java or librdkafka producer would write them.
const ZSTD_CLI_FRAME =
  'KLUv/SR6NQMAokYWGoC3OthIKE0sWgUCkiXVaKS/NlHvi6Q0RtgICeQggSP5joDPxqqQi8wtZ9ud4ezkQidfcaAk26uNAauuB1xX8rE3myJByYEKZCQvxW3XXBsbd/IiWPV3IwIDADeTO9WnK3gC5n9Hlw==';
const LZ4_CLI_FRAME =
  'BCJNGGRAp3YAAADwFnsiZXZlbnRJZCI6ImUxIiwidGltZXN0YW1wIjoxNzA3MjY3NjABAJEsInNlcnZpY2UrAINwYXltZW50LRQA8CUiLCJtZXRyaWNOYW1lIjoiYXBpLnJlcXVlc3QuZHVyYXRpb24iLCJ2YWx1ZSI6MjQ1LjV9AAAAAMSsToA=';

describe('compression codecs', () => {
  const payload = Buffer.from(
    Array.from({ length: 200 }, (_, i) => `${EVENT.replace('e1', `e${i}`)}`).join(''),
  );

  it.each([
    ['gzip', CompressionTypes.GZIP],
    ['snappy', CompressionTypes.Snappy],
    ['lz4', CompressionTypes.LZ4],
  ])('%s round-trips a record set and actually compresses it', async (_name, type) => {
    const c = codec(type);
    const compressed = await c.compress({ buffer: payload });
    expect(compressed.length).toBeLessThan(payload.length / 2);
    expect((await c.decompress(compressed)).equals(payload)).toBe(true);
  });

  it('reads zstd and lz4 frames written by the reference tools', async () => {
    const z = await codec(CompressionTypes.ZSTD).decompress(Buffer.from(ZSTD_CLI_FRAME, 'base64'));
    expect(z.toString()).toBe(EVENT);
    const l = await codec(CompressionTypes.LZ4).decompress(Buffer.from(LZ4_CLI_FRAME, 'base64'));
    expect(l.toString()).toBe(EVENT);
  });

  it('reads snappy in the xerial framing the Java client writes', async () => {
    const raw = await codec(CompressionTypes.Snappy).compress({ buffer: payload });
    // xerial header (magic, version 1, compatible 1), then one length-prefixed snappy block.
    const header = Buffer.from([130, 83, 78, 65, 80, 80, 89, 0, 0, 0, 0, 1, 0, 0, 0, 1]);
    const len = Buffer.alloc(4);
    len.writeUInt32BE(raw.length);
    const framed = Buffer.concat([header, len, raw, len, raw]);
    const out = await codec(CompressionTypes.Snappy).decompress(framed);
    expect(out.equals(Buffer.concat([payload, payload]))).toBe(true);
  });

  it('maps every configured name to its kafkajs type, and zstd only where this runtime can write it', () => {
    expect(compressionOf('none')).toBe(CompressionTypes.None);
    expect(compressionOf('gzip')).toBe(CompressionTypes.GZIP);
    expect(compressionOf('snappy')).toBe(CompressionTypes.Snappy);
    expect(compressionOf('lz4')).toBe(CompressionTypes.LZ4);
    if (ZSTD_WRITABLE) expect(compressionOf('zstd')).toBe(CompressionTypes.ZSTD);
    else expect(() => compressionOf('zstd')).toThrow(/Node.js >= 22.15/);
  });
});
