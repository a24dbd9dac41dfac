import { Redis } from 'ioredis';
import type { CompressionTypes, Kafka } from 'kafkajs';
import { Pool } from 'pg';
import type { Registry } from 'prom-client';
import {
  type Clock,
  DEAD_LETTER_TOPIC,
  systemClock,
  topicSpecs,
  WINDOW_SPECS,
} from '@streammetrics/contracts';
import { createKafka, provisionTopics, type ConsumerFailure, type KafkaSecurity } from '@streammetrics/kafka';
import { migrate } from '@streammetrics/storage';
import type { HealthState } from '@streammetrics/observability';
import { AggregateRepository } from './aggregate.repository';
import { AggregateSinkProcessor } from './aggregate-sink.processor';
import { DeadLetterProducer } from './dead-letter.producer';
import { DeadLetterRecorder } from './dead-letter.recorder';
import { HotStoreRepository } from './hot-store.repository';
import { MaintenanceScheduler } from './maintenance.scheduler';
import { retentionRules } from './retention.policy';
import { MaintenanceLockRepository } from './maintenance.lock';
import { PartitionsRepository } from './partitions.repository';
import { RetentionService } from './retention.service';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.policy';
import { DEFAULT_ROLLUP_OPTIONS, RollupService, type RollupOptions } from './rollup.service';
import { silentLog, type SinkLog } from './sink.log';
import { createSinkMetrics, type SinkMetrics } from './sink.metrics';
import { StoreConsumer } from './store-consumer.service';
import { messageOf } from './store.errors';

export const SINK_GROUPS = {
  redis: 'streammetrics-sink-redis',
  postgres: 'streammetrics-sink-postgres',
  deadLetters: 'streammetrics-sink-deadletters',
} as const;

export type SinkPart = 'redis' | 'postgres' | 'deadletters' | 'maintenance';

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
  log?: SinkLog;
  registry: Registry;
  onDurable?: (store: 'redis' | 'postgres', latenciesMs: number[]) => void;
  /** Called when a consumer stopped for good (e.g. an undecodable batch); the app then exits. */
  onFatal?: (failure: ConsumerFailure) => void;
}

/**
 * The aggregate sink, wired without a framework so the app module, the end-to-end tests and the
 * benchmark run the same object: three consumer groups (Redis, PostgreSQL, dead letters → Redis)
 * and the maintenance scheduler (rollups, retention).
 */
export class SinkRuntime {
  readonly metrics: SinkMetrics;
  readonly pool: Pool;
  readonly redis: Redis;
  readonly rollups: RollupService;
  readonly retention: RetentionService;
  readonly maintenance: MaintenanceScheduler;
  private readonly consumers = new Map<SinkPart, StoreConsumer>();
  private readonly deadLetters: DeadLetterProducer;
  private readonly hot: HotStoreRepository;
  private readonly aggregates: AggregateRepository;
  private readonly log: SinkLog;
  private readonly parts: Set<SinkPart>;
  private readonly kafka: Kafka;

  constructor(private readonly opts: SinkOptions) {
    const clock = opts.clock ?? systemClock;
    const log = (this.log = opts.log ?? silentLog);
    this.parts = new Set(opts.parts ?? ['redis', 'postgres', 'deadletters', 'maintenance']);
    this.metrics = createSinkMetrics(opts.registry);
    this.pool = new Pool({
      connectionString: opts.databaseUrl,
      max: opts.pgPoolSize ?? 6,
      connectionTimeoutMillis: 3_000,
      query_timeout: 60_000,
      keepAlive: true,
    });
    // An idle client losing its connection emits here; without a listener the process would exit.
    this.pool.on('error', (err) => log.warn({ err: err.message }, 'idle PostgreSQL client failed'));
    // A checked-out client whose connection drops between two queries emits 'error' too (the next
    // query then fails and is retried); without a listener that event would crash the process.
    this.pool.on('connect', (client) =>
      client.on('error', (err) => log.warn({ err: err.message }, 'PostgreSQL connection lost')),
    );
    this.redis = new Redis(opts.redisUrl, {
      // Fail fast while disconnected (no offline queue, no per-command retries): the consumer's
      // retry loop owns backoff and heartbeats; a queued command would hang the batch silently.
      enableOfflineQueue: false,
      maxRetriesPerRequest: 0,
      commandTimeout: 10_000,
      retryStrategy: (times) => Math.min(100 * times, 2_000),
    });
    this.redis.on('error', (err) => log.warn({ err: err.message }, 'Redis connection error'));
    this.hot = new HotStoreRepository(this.redis);
    const rollup = { ...DEFAULT_ROLLUP_OPTIONS, ...opts.rollup };
    this.aggregates = new AggregateRepository(
      this.pool,
      { hourlyStateKey: `${rollup.stateKeyPrefix}1h`, lateAfterMs: rollup.delayMs },
      () => clock.now(),
    );
    const kafka = createKafka({
      brokers: opts.kafkaBrokers,
      security: opts.kafkaSecurity,
      clientId: 'aggregate-sink',
      log: (level, message, extra) =>
        level === 'error' || level === 'warn' ? log.warn(extra, message) : undefined,
    });
    this.deadLetters = new DeadLetterProducer(
      kafka,
      `${opts.topicPrefix}${DEAD_LETTER_TOPIC}`,
      () => clock.now(),
      opts.compression,
    );
    const aggregateTopics = WINDOW_SPECS.map((w) => `${opts.topicPrefix}${w.topic}`);
    const common = {
      kafka,
      retryPolicy: opts.retryPolicy ?? DEFAULT_RETRY_POLICY,
      clock,
      partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 4,
      metrics: this.metrics,
      log,
      onFatal: opts.onFatal,
    };
    const group = (g: string) => `${opts.groupPrefix ?? ''}${g}`;
    if (this.parts.has('redis')) {
      const writer = {
        store: 'redis' as const,
        write: this.hot.writeAggregates.bind(this.hot),
        ping: () => this.hot.ping(),
      };
      const processor = new AggregateSinkProcessor(writer, this.deadLetters, this.metrics, {
        deadLetterUndecodable: false,
      });
      this.consumers.set(
        'redis',
        new StoreConsumer({
          ...common,
          groupId: group(SINK_GROUPS.redis),
          topics: aggregateTopics,
          store: 'redis',
          handler: processor.handle,
          onDurable: opts.onDurable && ((l) => opts.onDurable?.('redis', l)),
        }),
      );
    }
    if (this.parts.has('postgres')) {
      const processor = new AggregateSinkProcessor(this.aggregates, this.deadLetters, this.metrics, {
        deadLetterUndecodable: true,
      });
      this.consumers.set(
        'postgres',
        new StoreConsumer({
          ...common,
          groupId: group(SINK_GROUPS.postgres),
          topics: aggregateTopics,
          store: 'postgres',
          handler: processor.handle,
          onDurable: opts.onDurable && ((l) => opts.onDurable?.('postgres', l)),
        }),
      );
    }
    if (this.parts.has('deadletters')) {
      this.consumers.set(
        'deadletters',
        new StoreConsumer({
          ...common,
          groupId: group(SINK_GROUPS.deadLetters),
          topics: [`${opts.topicPrefix}${DEAD_LETTER_TOPIC}`],
          store: 'redis-deadletters',
          handler: new DeadLetterRecorder(this.hot).handle,
        }),
      );
    }
    this.rollups = new RollupService(this.pool, rollup, clock, this.metrics, log);
    this.retention = new RetentionService(
      new PartitionsRepository(this.pool),
      retentionRules(opts.retentionDays ?? { raw: 90, hourly: 365, daily: 3 * 365 }),
      clock,
      this.metrics,
      log,
    );
    this.maintenance = new MaintenanceScheduler(
      new MaintenanceLockRepository(this.pool),
      this.rollups,
      this.retention,
      opts.maintenanceIntervalMs ?? 60_000,
      this.metrics,
      log,
    );
    this.kafka = kafka;
  }

  async start(): Promise<void> {
    if (this.opts.provision) {
      await provisionTopics(this.kafka, topicSpecs(this.opts.topicPrefix), this.opts.replicationFactor);
      await migrate(this.opts.databaseUrl);
    }
    await this.deadLetters.connect();
    for (const [part, c] of this.consumers) {
      await c.start();
      this.log.info({ part }, 'sink consumer started');
    }
    if (this.parts.has('maintenance')) this.maintenance.start();
  }

  /** Graceful: stop fetching and leave the groups (offsets of durable batches are committed already). */
  async stop(): Promise<void> {
    await Promise.all([...this.consumers.values()].map((c) => c.stop().catch(() => undefined)));
    await this.maintenance.stop();
    await this.deadLetters.disconnect().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    this.redis.disconnect();
  }

  /** Readiness checks: each consumer's state, and each store answering a ping. */
  checks(): Record<string, () => Promise<HealthState>> {
    const out: Record<string, () => Promise<HealthState>> = {};
    for (const [part, c] of this.consumers) out[`consumer-${part}`] = () => Promise.resolve(c.health());
    if (this.parts.has('redis') || this.parts.has('deadletters'))
      out.redis = () => probe(() => this.hot.ping());
    if (this.parts.has('postgres') || this.parts.has('maintenance'))
      out.postgres = () => probe(() => this.aggregates.ping());
    return out;
  }
}

async function probe(ping: () => Promise<void>): Promise<HealthState> {
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error('no answer within 2 s')), 2_000);
      }),
    ]);
    return { ok: true };
  } catch (err) {
    return { ok: false, detail: messageOf(err) };
  } finally {
    clearTimeout(timer);
  }
}
