import type { CompressionTypes } from 'kafkajs';
import type { Clock } from '@streammetrics/contracts';
import type { ConsumerFailure, KafkaSecurity } from '@streammetrics/kafka';
import type { RetryPolicy } from './retry.policy';
import type { RollupOptions } from './rollup.service';
import type { SinkLog } from './sink.log';

export type SinkPart = 'redis' | 'postgres' | 'deadletters' | 'maintenance';

export const SINK_GROUPS = {
  redis: 'streammetrics-sink-redis',
  postgres: 'streammetrics-sink-postgres',
  deadLetters: 'streammetrics-sink-deadletters',
} as const;

export interface SinkOptions {
  kafkaBrokers: string[];
  /** TLS and SASL for the brokers (kafkaSecurity of the app's config); absent = plaintext. */
  kafkaSecurity?: KafkaSecurity;
  databaseUrl: string;
  redisUrl: string;
  topicPrefix: string;
  replicationFactor: number;
  /** Codec of the dead letters the sink writes (default none). */
  compression?: CompressionTypes;
  /** Which parts run (default all); tests and benchmarks run one store at a time. */
  parts?: SinkPart[];
  /** Group id prefix, so tests get their own groups ('' in production). */
  groupPrefix?: string;
  partitionsConsumedConcurrently?: number;
  retryPolicy?: RetryPolicy;
  rollup?: Partial<RollupOptions>;
  retentionDays?: { raw: number; hourly: number; daily: number };
  maintenanceIntervalMs?: number;
  /** Run migrations and create topics at start (the app does; tests already have them). */
  provision?: boolean;
  pgPoolSize?: number;
  clock?: Clock;
  /** Where the sink logs (default: the app's logger under the context 'aggregate-sink'). */
  log?: SinkLog;
  onDurable?: (store: 'redis' | 'postgres', latenciesMs: number[]) => void;
  /** Called when a consumer stopped for good (e.g. an undecodable batch); default: exit for a restart. */
  onFatal?: (failure: ConsumerFailure) => void;
}

export const DEFAULT_SINK_PARTS: readonly SinkPart[] = ['redis', 'postgres', 'deadletters', 'maintenance'];
