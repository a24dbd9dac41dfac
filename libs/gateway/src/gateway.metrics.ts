import { Inject, Injectable } from '@nestjs/common';
import type { Counter, Histogram, Gauge, Registry } from 'prom-client';
import { metric, METRICS_REGISTRY } from '@streammetrics/observability';

/**
 * The seed's counters (metricstream.requests.total, .success, .failed by code, latency, kafka send
 * success/failed, rate_limit.exceeded) in Prometheus naming, plus batch sizes and in-flight load.
 */
@Injectable()
export class GatewayMetrics {
  readonly requests: Counter<'route'>;
  readonly requestsSuccess: Counter<'route'>;
  readonly requestsFailed: Counter<'route' | 'code'>;
  readonly latency: Histogram<'route'>;
  readonly eventsAccepted: Counter<'route'>;
  readonly rateLimitExceeded: Counter;
  readonly rateLimitErrors: Counter;
  readonly seriesBudgetExceeded: Counter;
  readonly forbiddenServices: Counter;
  readonly kafkaSendSuccess: Counter;
  readonly kafkaSendFailed: Counter;
  readonly kafkaBatchEvents: Histogram;
  readonly inFlightEvents: Gauge;

  constructor(@Inject(METRICS_REGISTRY) r: Registry) {
    this.requests = metric.counter(r, 'streammetrics_gateway_requests_total', 'Ingest requests received', [
      'route',
    ]);
    this.requestsSuccess = metric.counter(
      r,
      'streammetrics_gateway_requests_success_total',
      'Ingest requests answered 2xx',
      ['route'],
    );
    this.requestsFailed = metric.counter(
      r,
      'streammetrics_gateway_requests_failed_total',
      'Ingest requests failed, by HTTP status',
      ['route', 'code'],
    );
    this.latency = metric.histogram(
      r,
      'streammetrics_gateway_latency_seconds',
      'Ingest request latency (p50/p99 via histogram_quantile)',
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      ['route'],
    );
    this.eventsAccepted = metric.counter(
      r,
      'streammetrics_gateway_events_accepted_total',
      'Events acknowledged to clients',
      ['route'],
    );
    this.rateLimitExceeded = metric.counter(
      r,
      'streammetrics_gateway_rate_limit_exceeded_total',
      'Requests refused with 429',
    );
    this.rateLimitErrors = metric.counter(
      r,
      'streammetrics_gateway_rate_limit_errors_total',
      'Rate-limit checks Redis could not answer; the configured fallback decided',
    );
    this.seriesBudgetExceeded = metric.counter(
      r,
      'streammetrics_gateway_series_budget_exceeded_total',
      "Requests refused with 429: over the key's distinct-series budget",
    );
    this.forbiddenServices = metric.counter(
      r,
      'streammetrics_gateway_forbidden_service_total',
      'Requests refused with 403: a serviceId the key is not bound to',
    );
    this.kafkaSendSuccess = metric.counter(
      r,
      'streammetrics_gateway_kafka_send_success_total',
      'Kafka batches acknowledged',
    );
    this.kafkaSendFailed = metric.counter(
      r,
      'streammetrics_gateway_kafka_send_failed_total',
      'Kafka batches failed',
    );
    this.kafkaBatchEvents = metric.histogram(
      r,
      'streammetrics_gateway_kafka_batch_events',
      'Events per Kafka batch (micro-batch size)',
      [1, 5, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000],
    );
    this.inFlightEvents = metric.gauge(
      r,
      'streammetrics_gateway_inflight_events',
      'Events accepted but not yet acknowledged',
    );
  }
}
