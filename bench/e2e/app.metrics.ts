/**
 * What the apps say about themselves on /metrics, read at the start and the end of a phase: the
 * processor's output count and commit time, and the Redis sink's batches. Their differences say
 * where a hop's time goes (how large the sink's batches are, how long one takes) without touching
 * the apps.
 */

/** Sum of every sample of `name` whose labels contain `labelFilter` (Prometheus text format). */
export function metricSum(text: string, name: string, labelFilter = ''): number {
  let total = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const rest = line.slice(name.length);
    if (rest[0] !== ' ' && rest[0] !== '{') continue;
    if (labelFilter && !rest.includes(labelFilter)) continue;
    const v = Number(line.slice(line.lastIndexOf(' ') + 1));
    if (Number.isFinite(v)) total += v;
  }
  return total;
}

export interface AppCounters {
  processorOutputs: number;
  processorCommitSeconds: number;
  processorCommits: number;
  sinkRedisBatches: number;
  sinkRedisRecords: number;
  sinkRedisWriteSeconds: number;
}

async function scrape(port: number): Promise<string> {
  const res = await fetch(`http://127.0.0.1:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
  return res.text();
}

export async function readAppCounters(processorPort: number, sinkPort: number): Promise<AppCounters> {
  const [p, s] = await Promise.all([scrape(processorPort), scrape(sinkPort)]);
  const redis = 'store="redis"';
  return {
    processorOutputs: metricSum(p, 'streammetrics_processor_outputs_total'),
    processorCommitSeconds: metricSum(p, 'streammetrics_processor_commit_seconds_sum'),
    processorCommits: metricSum(p, 'streammetrics_processor_commit_seconds_count'),
    sinkRedisBatches: metricSum(s, 'streammetrics_sink_batch_size_count', redis),
    sinkRedisRecords: metricSum(s, 'streammetrics_sink_batch_size_sum', redis),
    sinkRedisWriteSeconds: metricSum(s, 'streammetrics_sink_write_seconds_sum', redis),
  };
}

/** Per-phase means from two readings. */
export function appDeltas(a: AppCounters, b: AppCounters, seconds: number) {
  const d = (k: keyof AppCounters) => b[k] - a[k];
  return {
    processorOutputsPerSec: d('processorOutputs') / seconds,
    processorCommitMs: (1000 * d('processorCommitSeconds')) / d('processorCommits'),
    sinkRedisBatchRecords: d('sinkRedisRecords') / d('sinkRedisBatches'),
    sinkRedisBatchMs: (1000 * d('sinkRedisWriteSeconds')) / d('sinkRedisBatches'),
    sinkRedisBatchesPerSec: d('sinkRedisBatches') / seconds,
  };
}
