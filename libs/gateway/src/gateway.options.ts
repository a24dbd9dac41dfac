import type { CompressionTypes } from 'kafkajs';
import type { KafkaSecurity } from '@streammetrics/kafka';

export const GATEWAY_OPTIONS = Symbol('GATEWAY_OPTIONS');

/** Everything the gateway lib needs, filled from the app's validated config (apps/ingest-gateway). */
export interface GatewayOptions {
  kafkaBrokers: string[];
  /** TLS and SASL for the brokers (kafkaSecurity of the app's config); absent = plaintext. */
  kafkaSecurity?: KafkaSecurity;
  redisUrl: string;
  topicPrefix: string;
  replicationFactor: number;
  datacenter: string;
  /** Events per second for keys without their own rate. */
  defaultRatePerSecond: number;
  rateWindowMs: number;
  /** What the limiter does while Redis cannot answer: count per process, refuse (503), or admit. */
  rateLimitFallback: 'local' | 'closed' | 'open';
  /** Distinct (serviceId, metricName, tags) series one key may write per hour. */
  maxSeriesPerKey: number;
  /** Micro-batching: flush after this many ms, or earlier at maxBatchEvents / maxBatchBytes. */
  lingerMs: number;
  maxBatchEvents: number;
  maxBatchBytes: number;
  /** Backpressure: accepted-but-unacknowledged events and bytes across all requests. */
  maxInFlightEvents: number;
  maxInFlightBytes: number;
  /** A flush not acknowledged within this time fails its requests with 503. */
  ackTimeoutMs: number;
  /** Producer retries of one flush before the flush fails (the producer is then recreated). */
  sendRetries: number;
  /** Wait between reconnect attempts while Kafka is unreachable (default 1000 ms). */
  reconnectDelayMs?: number;
  /** Idempotent producers side by side, i.e. Kafka batches in flight at once. */
  producers: number;
  /** Codec of the event batches the gateway writes. */
  compression: CompressionTypes;
  kafkaClientId: string;
}
