import { Module, type DynamicModule } from '@nestjs/common';
import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import { Logger } from 'nestjs-pino';
import type { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { CLOCK, DEAD_LETTER_TOPIC, systemClock, type Clock } from '@streammetrics/contracts';
import { contextLog, METRICS_REGISTRY } from '@streammetrics/observability';
import { AggregateRepository } from './aggregate.repository';
import { DeadLetterProducer } from './dead-letter.producer';
import { HotStoreRepository } from './hot-store.repository';
import { MaintenanceLockRepository } from './maintenance.lock';
import { MaintenanceScheduler } from './maintenance.scheduler';
import { PartitionsRepository } from './partitions.repository';
import { retentionRules } from './retention.policy';
import { RetentionService } from './retention.service';
import { DEFAULT_ROLLUP_OPTIONS, RollupService, type RollupOptions } from './rollup.service';
import { sinkKafka, sinkPool, sinkRedis } from './sink.clients';
import { sinkConsumers } from './sink.consumers';
import type { SinkLog } from './sink.log';
import { createSinkMetrics, type SinkMetrics } from './sink.metrics';
import type { SinkOptions } from './sink.options';
import { SinkRuntime } from './sink.runtime';
import { SinkService } from './sink.service';

const SINK_LOG = Symbol('SINK_LOG');
const SINK_METRICS = Symbol('SINK_METRICS');
const SINK_POOL = Symbol('SINK_POOL');
const SINK_REDIS = Symbol('SINK_REDIS');
const SINK_KAFKA = Symbol('SINK_KAFKA');
const SINK_CONSUMERS = Symbol('SINK_CONSUMERS');
const ROLLUP_OPTIONS = Symbol('ROLLUP_OPTIONS');

/**
 * The aggregate sink: its clients, repositories, consumer groups and maintenance as providers, so
 * the app, the end-to-end tests and the benchmark run the same wiring (`SinkModule.forRoot`).
 * The app module imports ObservabilityModule, which provides the logger and the metrics registry.
 */
@Module({})
export class SinkModule {
  static forRoot(opts: SinkOptions): DynamicModule {
    const rollup: RollupOptions = { ...DEFAULT_ROLLUP_OPTIONS, ...opts.rollup };
    return {
      module: SinkModule,
      providers: [
        { provide: CLOCK, useValue: opts.clock ?? systemClock },
        { provide: ROLLUP_OPTIONS, useValue: rollup },
        {
          provide: SINK_LOG,
          inject: [Logger],
          useFactory: (logger: Logger) => opts.log ?? contextLog(logger, 'aggregate-sink'),
        },
        {
          provide: SINK_METRICS,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) => createSinkMetrics(registry),
        },
        {
          provide: SINK_POOL,
          inject: [SINK_LOG],
          useFactory: (log: SinkLog) => sinkPool(opts.databaseUrl, opts.pgPoolSize ?? 6, log),
        },
        {
          provide: SINK_REDIS,
          inject: [SINK_LOG],
          useFactory: (log: SinkLog) => sinkRedis(opts.redisUrl, log),
        },
        {
          provide: SINK_KAFKA,
          inject: [SINK_LOG],
          useFactory: (log: SinkLog) => sinkKafka(opts.kafkaBrokers, opts.kafkaSecurity, log),
        },
        {
          provide: HotStoreRepository,
          inject: [SINK_REDIS],
          useFactory: (redis: Redis) => new HotStoreRepository(redis),
        },
        {
          provide: AggregateRepository,
          inject: [SINK_POOL, CLOCK],
          useFactory: (pool: Pool, clock: Clock) =>
            new AggregateRepository(
              pool,
              { hourlyStateKey: `${rollup.stateKeyPrefix}1h`, lateAfterMs: rollup.delayMs },
              () => clock.now(),
            ),
        },
        {
          provide: DeadLetterProducer,
          inject: [SINK_KAFKA, CLOCK],
          useFactory: (kafka: Kafka, clock: Clock) =>
            new DeadLetterProducer(
              kafka,
              `${opts.topicPrefix}${DEAD_LETTER_TOPIC}`,
              () => clock.now(),
              opts.compression,
            ),
        },
        {
          provide: SINK_CONSUMERS,
          inject: [
            SINK_KAFKA,
            HotStoreRepository,
            AggregateRepository,
            DeadLetterProducer,
            SINK_METRICS,
            CLOCK,
            SINK_LOG,
          ],
          useFactory: (
            kafka: Kafka,
            hot: HotStoreRepository,
            aggregates: AggregateRepository,
            deadLetters: DeadLetterProducer,
            metrics: SinkMetrics,
            clock: Clock,
            log: SinkLog,
          ) => sinkConsumers(opts, { kafka, hot, aggregates, deadLetters, metrics, clock, log }),
        },
        {
          provide: RollupService,
          inject: [SINK_POOL, ROLLUP_OPTIONS, CLOCK, SINK_METRICS, SINK_LOG],
          useFactory: (pool: Pool, r: RollupOptions, clock: Clock, metrics: SinkMetrics, log: SinkLog) =>
            new RollupService(pool, r, clock, metrics, log),
        },
        {
          provide: RetentionService,
          inject: [SINK_POOL, CLOCK, SINK_METRICS, SINK_LOG],
          useFactory: (pool: Pool, clock: Clock, metrics: SinkMetrics, log: SinkLog) =>
            new RetentionService(
              new PartitionsRepository(pool),
              retentionRules(opts.retentionDays ?? { raw: 90, hourly: 365, daily: 3 * 365 }),
              clock,
              metrics,
              log,
            ),
        },
        {
          provide: MaintenanceScheduler,
          inject: [SINK_POOL, RollupService, RetentionService, SINK_METRICS, SINK_LOG],
          useFactory: (
            pool: Pool,
            rollups: RollupService,
            retention: RetentionService,
            metrics: SinkMetrics,
            log: SinkLog,
          ) =>
            new MaintenanceScheduler(
              new MaintenanceLockRepository(pool),
              rollups,
              retention,
              opts.maintenanceIntervalMs ?? 60_000,
              metrics,
              log,
            ),
        },
        {
          provide: SinkRuntime,
          inject: [
            SINK_KAFKA,
            SINK_POOL,
            SINK_REDIS,
            HotStoreRepository,
            AggregateRepository,
            DeadLetterProducer,
            SINK_CONSUMERS,
            MaintenanceScheduler,
            SINK_METRICS,
            SINK_LOG,
          ],
          useFactory: (
            kafka: Kafka,
            pool: Pool,
            redis: Redis,
            hot: HotStoreRepository,
            aggregates: AggregateRepository,
            deadLetters: DeadLetterProducer,
            consumers: ReturnType<typeof sinkConsumers>,
            maintenance: MaintenanceScheduler,
            metrics: SinkMetrics,
            log: SinkLog,
          ) =>
            new SinkRuntime(opts, {
              kafka,
              pool,
              redis,
              hot,
              aggregates,
              deadLetters,
              consumers,
              maintenance,
              metrics,
              log,
            }),
        },
        SinkService,
      ],
      exports: [SinkRuntime, RollupService, RetentionService, MaintenanceScheduler],
    };
  }
}
