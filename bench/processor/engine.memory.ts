/**
 * `node --expose-gc -r @swc-node/register bench/processor/engine.memory.ts [series]`: retained heap
 * of the window state per active series (one 10 s slice each), measured after a full GC.
 */
import { PartitionWindows } from '@streammetrics/windowing';

declare const gc: () => void;

export function measureWindowMemory(seriesCount: number): {
  bytesPerSeries: number;
  slices: number;
  series: number;
} {
  gc();
  const before = process.memoryUsage().heapUsed;
  const windows = new PartitionWindows({ idleTimeoutMs: 0, maxTagSetsPerMetric: 1000 });
  const now = Date.UTC(2026, 0, 1);
  const perMetric = 100;
  const metrics = Math.ceil(seriesCount / perMetric);
  for (let k = 0; k < 2; k++) {
    for (let m = 0; m < metrics; m++) {
      for (let t = 0; t < perMetric; t++) {
        windows.ingest(
          {
            eventId: 'x',
            timestamp: now + k,
            serviceId: `svc-${m % 100}`,
            metricName: `metric.${Math.floor(m / 100)}`,
            value: 10 + k + t,
            tags: { tagset: String(t) },
          },
          0,
        );
      }
    }
  }
  windows.collect(0);
  gc();
  const after = process.memoryUsage().heapUsed;
  const stats = windows.stats();
  // Keep `windows` alive until after the measurement.
  return {
    bytesPerSeries: (after - before) / stats.activeSeries,
    slices: stats.activeSlices + 0 * windows.streamTime,
    series: stats.activeSeries,
  };
}

if (require.main === module) {
  const r = measureWindowMemory(Number(process.argv[2] ?? 100_000));
  console.log(JSON.stringify(r));
}
