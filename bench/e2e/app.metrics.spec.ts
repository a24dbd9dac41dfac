import { appDeltas, metricSum } from './app.metrics';

const TEXT = [
  '# HELP streammetrics_sink_batch_size Records per batch',
  'streammetrics_sink_batch_size_sum{store="redis"} 300',
  'streammetrics_sink_batch_size_sum{store="postgres"} 999',
  'streammetrics_sink_batch_size_count{store="redis"} 3',
  'streammetrics_sink_batch_size_count_other 7',
  'streammetrics_processor_outputs_total{window="1m"} 10',
  'streammetrics_processor_outputs_total{window="5m"} 5',
].join('\n');

describe('app metrics', () => {
  it('sums the samples of one metric name, filtered by a label', () => {
    expect(metricSum(TEXT, 'streammetrics_sink_batch_size_sum', 'store="redis"')).toBe(300);
    expect(metricSum(TEXT, 'streammetrics_sink_batch_size_count')).toBe(3);
    expect(metricSum(TEXT, 'streammetrics_processor_outputs_total')).toBe(15);
  });

  it('turns two readings into per-phase means', () => {
    const a = {
      processorOutputs: 0,
      processorCommitSeconds: 0,
      processorCommits: 0,
      sinkRedisBatches: 0,
      sinkRedisRecords: 0,
      sinkRedisWriteSeconds: 0,
    };
    const b = {
      ...a,
      processorOutputs: 100,
      sinkRedisBatches: 4,
      sinkRedisRecords: 400,
      sinkRedisWriteSeconds: 2,
    };
    expect(appDeltas(a, b, 10)).toMatchObject({
      processorOutputsPerSec: 10,
      sinkRedisBatchRecords: 100,
      sinkRedisBatchMs: 500,
      sinkRedisBatchesPerSec: 0.4,
    });
  });
});
