import { Module, type DynamicModule } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { Logger } from 'nestjs-pino';
import { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { CLOCK, systemClock, WINDOW_SPECS, type Clock } from '@streammetrics/contracts';
import { createKafka } from '@streammetrics/kafka';
import { contextLog, METRICS_REGISTRY } from '@streammetrics/observability';
import { AlertConsumer } from './alert.consumer';
import { AlertEvaluator } from './alert.evaluator';
import { AlertRulesRepository } from './alert-rules.repository';
import { AlertStatesRepository } from './alert-states.repository';
import type { AlertingLog } from './alerting.log';
import { createAlertingMetrics, type AlertingMetrics } from './alerting.metrics';
import { ALERTING_GROUP, AlertingRuntime, type AlertingOptions } from './alerting.runtime';
import { AlertingService } from './alerting.service';
import { EvaluationQueue } from './evaluation.queue';
import { DEFAULT_DISPATCHER_OPTIONS, NotificationDispatcher } from './notification.dispatcher';
import { OutboxRepository } from './outbox.repository';
import { RuleIndex } from './rule.index';
import { SilencesRepository } from './silences.repository';

const ALERTING_LOG = Symbol('ALERTING_LOG');
const ALERTING_METRICS = Symbol('ALERTING_METRICS');
const ALERTING_POOL = Symbol('ALERTING_POOL');
const ALERTING_KAFKA = Symbol('ALERTING_KAFKA');

/**
 * The alerting app: its pool, repositories, evaluator, consumer and dispatcher as providers, so the
 * app and the benchmark run the same wiring (`AlertingModule.forRoot`). The app module imports
 * ObservabilityModule, which provides the logger and the metrics registry.
 */
@Module({})
export class AlertingModule {
  static forRoot(opts: AlertingOptions): DynamicModule {
    const groupId = opts.groupId ?? ALERTING_GROUP;
    return {
      module: AlertingModule,
      providers: [
        { provide: CLOCK, useValue: systemClock },
        EvaluationQueue,
        {
          provide: ALERTING_LOG,
          inject: [Logger],
          useFactory: (logger: Logger): AlertingLog => opts.log ?? contextLog(logger, 'alerting'),
        },
        {
          provide: ALERTING_METRICS,
          inject: [METRICS_REGISTRY],
          useFactory: (registry: Registry) => createAlertingMetrics(registry),
        },
        {
          provide: ALERTING_POOL,
          inject: [ALERTING_LOG],
          useFactory: (log: AlertingLog) => {
            const pool = new Pool({
              connectionString: opts.databaseUrl,
              max: 4,
              connectionTimeoutMillis: 3_000,
            });
            pool.on('error', (err) => log.warn({ err: err.message }, 'idle PostgreSQL client failed'));
            return pool;
          },
        },
        {
          provide: ALERTING_KAFKA,
          inject: [ALERTING_LOG],
          useFactory: (log: AlertingLog) =>
            createKafka({
              brokers: opts.kafkaBrokers,
              clientId: 'alerting',
              security: opts.kafkaSecurity,
              log: (level, message, extra) =>
                level === 'error' || level === 'warn' ? log.warn(extra, message) : undefined,
            }),
        },
        {
          provide: AlertRulesRepository,
          inject: [ALERTING_POOL],
          useFactory: (pool: Pool) => new AlertRulesRepository(pool),
        },
        {
          provide: AlertStatesRepository,
          inject: [ALERTING_POOL],
          useFactory: (pool: Pool) => new AlertStatesRepository(pool, groupId),
        },
        {
          provide: AlertEvaluator,
          inject: [CLOCK],
          useFactory: (clock: Clock) =>
            new AlertEvaluator(new RuleIndex([]), { externalUrl: opts.externalUrl, now: () => clock.now() }),
        },
        {
          provide: NotificationDispatcher,
          inject: [ALERTING_POOL, ALERTING_METRICS, ALERTING_LOG, CLOCK],
          useFactory: (pool: Pool, metrics: AlertingMetrics, log: AlertingLog, clock: Clock) =>
            new NotificationDispatcher(
              new OutboxRepository(pool),
              new SilencesRepository(pool),
              metrics,
              log,
              { ...DEFAULT_DISPATCHER_OPTIONS, ...opts.dispatcher },
              clock,
            ),
        },
        {
          provide: AlertConsumer,
          inject: [
            ALERTING_KAFKA,
            AlertEvaluator,
            AlertStatesRepository,
            NotificationDispatcher,
            EvaluationQueue,
            ALERTING_METRICS,
            ALERTING_LOG,
          ],
          useFactory: (
            kafka: Kafka,
            evaluator: AlertEvaluator,
            store: AlertStatesRepository,
            dispatcher: NotificationDispatcher,
            queue: EvaluationQueue,
            metrics: AlertingMetrics,
            log: AlertingLog,
          ) =>
            new AlertConsumer({
              kafka,
              groupId,
              topics: new Map(WINDOW_SPECS.map((w) => [`${opts.topicPrefix}${w.topic}`, w.topic])),
              fromBeginning: opts.fromBeginning ?? false,
              evaluator,
              store,
              metrics,
              log,
              retry: opts.storeRetry ?? { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0.2 },
              exclusive: queue.exclusive,
              onCommitted: () => dispatcher.wake(),
              onFatal: opts.onFatal,
            }),
        },
        {
          provide: AlertingRuntime,
          inject: [
            ALERTING_POOL,
            AlertRulesRepository,
            AlertStatesRepository,
            AlertEvaluator,
            NotificationDispatcher,
            AlertConsumer,
            EvaluationQueue,
            ALERTING_METRICS,
            ALERTING_LOG,
          ],
          useFactory: (
            pool: Pool,
            rules: AlertRulesRepository,
            store: AlertStatesRepository,
            evaluator: AlertEvaluator,
            dispatcher: NotificationDispatcher,
            consumer: AlertConsumer,
            queue: EvaluationQueue,
            metrics: AlertingMetrics,
            log: AlertingLog,
          ) =>
            new AlertingRuntime(opts, {
              pool,
              rules,
              store,
              evaluator,
              dispatcher,
              consumer,
              queue,
              metrics,
              log,
            }),
        },
        AlertingService,
      ],
      exports: [AlertingRuntime],
    };
  }
}
