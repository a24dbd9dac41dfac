import { CompressionTypes, type Kafka } from 'kafkajs';
import { topicSpecs } from '@streammetrics/contracts';
import { provisionTopics } from '@streammetrics/kafka';
import { testKafka, uniqueName } from '@streammetrics/testing';
import { steadyRecords } from './support-processor/event-generator';
import { finalsAgainst, readOutputs } from './support-processor/finals';
import { FLUSH_METRIC, flushMarkers } from './support-processor/flush-markers';
import {
  committedTotal,
  endOffsetsTotal,
  ProcessorProcess,
  testProcessorEnv,
  waitFor,
} from './support-processor/processor.process';
import { exactWindows } from './support-processor/window-oracle';

const PARTITIONS = 6;
const GRACE_MS = 10_000;
// Every codec a stock producer writes by default settings or by `compression.type`; zstd's reading
// is proven on frames of the reference zstd tool (compression.codecs.spec.ts), since this runtime
// may not write it.
const CODECS = [CompressionTypes.None, CompressionTypes.GZIP, CompressionTypes.Snappy, CompressionTypes.LZ4];

/**
 * Input written with every codec, batch after batch on the same partitions: the real processor
 * must read all of it (nothing dead-lettered, the group's offsets at the end) and its finals must
 * match an exact computation over the events.
 */
describe('stream-processor: compressed input batches', () => {
  let kafka: Kafka;
  const prefix = `${uniqueName('codecs')}.`;
  const groupId = uniqueName('codecs-processors');
  const input = `${prefix}metrics-events`;
  const processor = new ProcessorProcess(
    testProcessorEnv(prefix, groupId, {
      IDLE_TIMEOUT_MS: '0',
      GRACE_MS: String(GRACE_MS),
    }),
  );

  beforeAll(async () => {
    kafka = testKafka('codecs-test');
    await provisionTopics(kafka, topicSpecs(prefix), 1);
  });

  afterAll(async () => {
    await processor.kill('SIGKILL');
  });

  it('processes none, gzip, snappy and lz4 batches exactly', async () => {
    const records = steadyRecords({
      seed: 20261202,
      count: 20_000,
      partitions: PARTITIONS,
      startTime: Date.UTC(2026, 0, 1),
    });
    const all = [...records, ...flushMarkers(records)];
    const expected = exactWindows(all, GRACE_MS, FLUSH_METRIC);

    const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const slice = Math.ceil(records.length / CODECS.length);
    for (const [i, compression] of CODECS.entries()) {
      const part = i === CODECS.length - 1 ? all.slice(i * slice) : all.slice(i * slice, (i + 1) * slice);
      for (let j = 0; j < part.length; j += 1000) {
        await producer.send({
          topic: input,
          acks: -1,
          compression,
          messages: part
            .slice(j, j + 1000)
            .map((r) => ({ key: r.key, value: r.value, partition: r.partition })),
        });
      }
    }
    await producer.disconnect();

    processor.start();
    const end = await endOffsetsTotal(kafka, input);
    const finished = await waitFor(
      async () => (await committedTotal(kafka, groupId, input)) >= end,
      120_000,
      500,
    );
    if (!finished) throw new Error(`processing did not finish:\n${processor.output.join('')}`);
    expect(processor.alive).toBe(true);

    const { finals, deadLetters } = await readOutputs(kafka, prefix, expected.windows.size);
    expect(deadLetters.length).toBe(0);
    expect(finalsAgainst(expected, finals)).toEqual({ windows: expected.windows.size, wrong: [] });
  });
});
