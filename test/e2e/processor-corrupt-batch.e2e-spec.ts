import { CompressionTypes, type Kafka } from 'kafkajs';
import { topicSpecs } from '@streammetrics/contracts';
import { groupProgress, provisionTopics } from '@streammetrics/kafka';
import { readTopics, testKafka, uniqueName } from '@streammetrics/testing';
import { steadyRecords } from './support-processor/event-generator';
import { ProcessorProcess, testProcessorEnv, waitFor } from './support-processor/processor.process';
import { corruptBatch } from './support-processor/segment-file';

/**
 * A gzip batch damaged on the broker's disk, between good batches of the same partition: the real
 * processor must say where it is stuck and exit non-zero for its supervisor, not skip the batch,
 * not dead-letter it, and not commit past it.
 */
describe('stream-processor: a corrupt record batch on the broker', () => {
  let kafka: Kafka;
  const prefix = `${uniqueName('corrupt')}.`;
  const groupId = uniqueName('corrupt-processors');
  const input = `${prefix}metrics-events`;
  const processor = new ProcessorProcess(testProcessorEnv(prefix, groupId));

  beforeAll(async () => {
    kafka = testKafka('corrupt-test');
    await provisionTopics(kafka, topicSpecs(prefix), 1);
  });

  afterAll(async () => {
    await processor.kill('SIGKILL');
  });

  it('names topic, partition and offset, exits non-zero and commits nothing past the batch', async () => {
    const records = steadyRecords({
      seed: 7,
      count: 300,
      partitions: 1,
      startTime: Date.UTC(2026, 0, 1),
      msPerRecord: 100,
    });
    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    // Three batches on partition 0: plain 0-99, gzip 100-199, plain 200-299.
    for (const [i, compression] of [
      CompressionTypes.None,
      CompressionTypes.GZIP,
      CompressionTypes.None,
    ].entries()) {
      await producer.send({
        topic: input,
        acks: -1,
        compression,
        messages: records
          .slice(i * 100, (i + 1) * 100)
          .map((r) => ({ key: r.key, value: r.value, partition: 0 })),
      });
    }
    await producer.disconnect();
    // The gzip member's magic bytes (1f 8b) zeroed; the batch's CRC-32C no longer matches.
    await corruptBatch(kafka, input, 0, 100n, Buffer.from([0, 0]));

    processor.start();
    const exited = await waitFor(async () => !processor.alive, 60_000, 250);
    const output = processor.output.join('');
    if (!exited) throw new Error(`the processor kept running on a corrupt batch:\n${output}`);
    expect(processor.exitCode).toBe(1);
    expect(output).toContain(`cannot decode the record batch of ${input} partition 0 at offset 100`);
    expect(output).toContain('CRC-32C mismatch');
    expect(output).toContain('input consumer stopped for good');

    const progress = await groupProgress(kafka, groupId, input);
    expect(progress.committed).toBeLessThanOrEqual(100);
    expect(progress.end).toBe(300);
    const dead = await readTopics(kafka, [`${prefix}metrics-dead-letter`], {
      readCommitted: true,
      timeoutMs: 2_000,
    });
    expect(dead).toEqual([]);
  });
});
