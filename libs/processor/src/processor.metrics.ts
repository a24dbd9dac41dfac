import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { EmitKind } from '@streammetrics/contracts';
import type { WindowingStats } from '@streammetrics/windowing';

/** The processor's Prometheus metrics, declared once against the app's registry. */
export class ProcessorMetrics {
  readonly recordsIn: Counter<'partition'>;
  readonly outputs: Counter<'emit'>;
  readonly deadLetters: Counter<'reason'>;
  readonly lateWindowMisses: Counter<'window'>;
  readonly transactions: Counter<'result'>;
  readonly commitLatency: Histogram<string>;
  readonly restoreSeconds: Histogram<string>;
  readonly lastRestoreSeconds: Gauge<'partition'>;
  readonly consumerLag: Gauge<'partition'>;
  readonly activeSeries: Gauge<'partition'>;
  readonly activeSlices: Gauge<'partition'>;
  readonly overflowed: Gauge<'partition'>;
  readonly seriesOverflowed: Gauge<'partition'>;
  readonly recoveries: Counter<'reason'>;
  readonly consumerFailures: Counter<'reason' | 'topic' | 'partition'>;
  readonly registryUnavailable: Counter<string>;

  constructor(registry: Registry) {
    const r = [registry];
    this.consumerFailures = new Counter({
      name: 'streammetrics_processor_consumer_failures_total',
      help: 'Times the input consumer stopped for good (e.g. an undecodable record batch); the process then exits',
      labelNames: ['reason', 'topic', 'partition'],
      registers: r,
    });
    this.registryUnavailable = new Counter({
      name: 'streammetrics_processor_schema_registry_unavailable_total',
      help: 'Batches held back because a writer schema could not be fetched; retried with backoff',
      registers: r,
    });
    this.recordsIn = new Counter({
      name: 'streammetrics_processor_records_in_total',
      help: 'Input records consumed',
      labelNames: ['partition'],
      registers: r,
    });
    this.outputs = new Counter({
      name: 'streammetrics_processor_outputs_total',
      help: 'Aggregate records emitted',
      labelNames: ['emit'],
      registers: r,
    });
    this.deadLetters = new Counter({
      name: 'streammetrics_processor_dead_letters_total',
      help: 'Records sent to the dead-letter topic',
      labelNames: ['reason'],
      registers: r,
    });
    this.lateWindowMisses = new Counter({
      name: 'streammetrics_processor_late_window_misses_total',
      help: 'Accepted records that were too late for some windows of this size',
      labelNames: ['window'],
      registers: r,
    });
    this.transactions = new Counter({
      name: 'streammetrics_processor_transactions_total',
      help: 'Kafka transactions',
      labelNames: ['result'],
      registers: r,
    });
    this.commitLatency = new Histogram({
      name: 'streammetrics_processor_commit_seconds',
      help: 'Time to send and commit one transaction',
      buckets: [0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 5],
      registers: r,
    });
    this.restoreSeconds = new Histogram({
      name: 'streammetrics_processor_restore_seconds',
      help: 'Time to restore partition state from the changelog',
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60],
      registers: r,
    });
    this.lastRestoreSeconds = new Gauge({
      name: 'streammetrics_processor_last_restore_seconds',
      help: 'Duration of the last restore per partition',
      labelNames: ['partition'],
      registers: r,
    });
    this.consumerLag = new Gauge({
      name: 'streammetrics_processor_consumer_lag',
      help: 'Records behind the high watermark',
      labelNames: ['partition'],
      registers: r,
    });
    this.activeSeries = new Gauge({
      name: 'streammetrics_processor_active_series',
      help: 'Series with open windows',
      labelNames: ['partition'],
      registers: r,
    });
    this.activeSlices = new Gauge({
      name: 'streammetrics_processor_active_slices',
      help: '10 s slices held in memory',
      labelNames: ['partition'],
      registers: r,
    });
    this.overflowed = new Gauge({
      name: 'streammetrics_processor_cardinality_overflowed',
      help: 'Events folded into the overflow series since start',
      labelNames: ['partition'],
      registers: r,
    });
    this.seriesOverflowed = new Gauge({
      name: 'streammetrics_processor_series_cap_overflowed',
      help: 'Events of new series folded into the partition overflow series (series cap) since start',
      labelNames: ['partition'],
      registers: r,
    });
    this.recoveries = new Counter({
      name: 'streammetrics_processor_recoveries_total',
      help: 'Partition state rebuilds after a failed transaction',
      labelNames: ['reason'],
      registers: r,
    });
  }

  /** One committed transaction of a partition: its latency, its outputs and the state it left. */
  recordCommit(
    partition: number,
    seconds: number,
    outputs: readonly { emit: EmitKind }[],
    stats: WindowingStats,
  ): void {
    this.transactions.inc({ result: 'committed' });
    this.commitLatency.observe(seconds);
    for (const o of outputs) this.outputs.inc({ emit: o.emit });
    const p = { partition: String(partition) };
    this.activeSeries.set(p, stats.activeSeries);
    this.activeSlices.set(p, stats.activeSlices);
    this.overflowed.set(p, stats.overflowed);
    this.seriesOverflowed.set(p, stats.seriesOverflowed);
  }
}
