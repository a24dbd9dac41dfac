import type { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { metric } from '@streammetrics/observability';

export type AlertingMetrics = ReturnType<typeof createAlertingMetrics>;

const SECONDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/** The alerting app's Prometheus metrics, declared once against the app's registry. */
export function createAlertingMetrics(r: Registry) {
  return {
    records: metric.counter(
      r,
      'streammetrics_alerting_records_evaluated_total',
      'Window results read from the aggregate topics',
    ) as Counter,
    undecodable: metric.counter(
      r,
      'streammetrics_alerting_records_undecodable_total',
      'Aggregate records that could not be decoded (skipped; the sink dead-letters them)',
    ) as Counter,
    transitions: metric.counter(r, 'streammetrics_alerting_transitions_total', 'Alert state changes', [
      'to',
    ]) as Counter<'to'>,
    batchSeconds: metric.histogram(
      r,
      'streammetrics_alerting_batch_seconds',
      'Evaluating and committing one fetched batch',
      SECONDS,
    ) as Histogram,
    storeRetries: metric.counter(
      r,
      'streammetrics_alerting_store_retries_total',
      'Batches retried because PostgreSQL was unavailable',
    ) as Counter,
    rules: metric.gauge(r, 'streammetrics_alerting_rules', 'Rules loaded') as Gauge,
    deliveryAttempts: metric.counter(
      r,
      'streammetrics_alerting_delivery_attempts_total',
      'Webhook POSTs, by outcome (delivered, failed)',
      ['outcome'],
    ) as Counter<'outcome'>,
    silenced: metric.counter(
      r,
      'streammetrics_alerting_notifications_silenced_total',
      'Notifications not sent because a silence matched',
    ) as Counter,
    deliverySeconds: metric.histogram(
      r,
      'streammetrics_alerting_delivery_seconds',
      'Duration of one webhook POST',
      SECONDS,
    ) as Histogram,
    pending: metric.gauge(
      r,
      'streammetrics_alerting_notifications_pending',
      'Notifications not delivered yet',
    ) as Gauge,
  };
}
