import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { metric } from '@streammetrics/observability';

export type SinkMetrics = ReturnType<typeof createSinkMetrics>;

const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/** The sink's Prometheus metrics, declared once against the app's registry. */
export function createSinkMetrics(r: Registry) {
  return {
    consumed: metric.counter(
      r,
      'streammetrics_sink_records_consumed_total',
      'Aggregate records read from Kafka',
      ['store'],
    ) as Counter<'store'>,
    written: metric.counter(
      r,
      'streammetrics_sink_records_written_total',
      'Records that changed the store (new window or newer version)',
      ['store'],
    ) as Counter<'store'>,
    batchSize: metric.histogram(
      r,
      'streammetrics_sink_batch_size',
      'Records per store write (after keeping the newest version of each window)',
      [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
      ['store'],
    ) as Histogram<'store'>,
    writeSeconds: metric.histogram(
      r,
      'streammetrics_sink_write_seconds',
      'Duration of one batch write',
      LATENCY_BUCKETS,
      ['store'],
    ) as Histogram<'store'>,
    topicToStoreSeconds: metric.histogram(
      r,
      'streammetrics_sink_topic_to_store_seconds',
      'Time from a record being appended to its topic to it being durable in the store',
      LATENCY_BUCKETS,
      ['store'],
    ) as Histogram<'store'>,
    retries: metric.counter(
      r,
      'streammetrics_sink_retries_total',
      'Batch writes retried because a store was unavailable',
      ['store'],
    ) as Counter<'store'>,
    consumerFailures: metric.counter(
      r,
      'streammetrics_sink_consumer_failures_total',
      'Times a store consumer stopped for good (e.g. an undecodable record batch); the sink then exits',
      ['store', 'reason'],
    ) as Counter<'store' | 'reason'>,
    storeUp: metric.gauge(r, 'streammetrics_sink_store_up', '1 while the last write to the store succeeded', [
      'store',
    ]) as Gauge<'store'>,
    lag: metric.gauge(
      r,
      'streammetrics_sink_consumer_lag',
      'Records behind the high watermark after the last batch',
      ['store', 'topic', 'partition'],
    ) as Gauge<'store' | 'topic' | 'partition'>,
    deadLettered: metric.counter(
      r,
      'streammetrics_sink_dead_lettered_total',
      'Records sent to the dead-letter topic',
      ['store', 'reason'],
    ) as Counter<'store' | 'reason'>,
    skipped: metric.counter(
      r,
      'streammetrics_sink_undecodable_skipped_total',
      'Undecodable records the Redis group skips (the PostgreSQL group dead-letters them)',
      ['store'],
    ) as Counter<'store'>,
    rollupBuckets: metric.counter(r, 'streammetrics_sink_rollup_buckets_total', 'Hours or days rolled up', [
      'resolution',
      'kind',
    ]) as Counter<'resolution' | 'kind'>,
    rollupRows: metric.counter(r, 'streammetrics_sink_rollup_rows_total', 'Rollup rows written', [
      'resolution',
    ]) as Counter<'resolution'>,
    partitionsDropped: metric.counter(
      r,
      'streammetrics_sink_partitions_dropped_total',
      'Expired partitions dropped',
      ['table'],
    ) as Counter<'table'>,
    maintenanceRuns: metric.counter(
      r,
      'streammetrics_sink_maintenance_runs_total',
      'Rollup/retention rounds',
      ['outcome'],
    ) as Counter<'outcome'>,
  };
}
