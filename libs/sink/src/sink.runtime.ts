import type { Redis } from 'ioredis';
import type { Kafka } from 'kafkajs';
import type { Pool } from 'pg';
import { topicSpecs } from '@streammetrics/contracts';
import { provisionTopics } from '@streammetrics/kafka';
import type { HealthState } from '@streammetrics/observability';
import { migrate } from '@streammetrics/storage';
import type { AggregateRepository } from './aggregate.repository';
import type { DeadLetterProducer } from './dead-letter.producer';
import type { HotStoreRepository } from './hot-store.repository';
import type { MaintenanceScheduler } from './maintenance.scheduler';
import type { SinkLog } from './sink.log';
import type { SinkMetrics } from './sink.metrics';
import { DEFAULT_SINK_PARTS, type SinkOptions, type SinkPart } from './sink.options';
import type { StoreConsumer } from './store.consumer';
import { messageOf } from './store.errors';

/** What the sink runs, as SinkModule wires it. */
export interface SinkParts {
  kafka: Kafka;
  pool: Pool;
  redis: Redis;
  hot: HotStoreRepository;
  aggregates: AggregateRepository;
  deadLetters: DeadLetterProducer;
  consumers: Map<SinkPart, StoreConsumer>;
  maintenance: MaintenanceScheduler;
  metrics: SinkMetrics;
  log: SinkLog;
}

/**
 * The aggregate sink's start, graceful stop and readiness: the consumer groups (Redis, PostgreSQL,
 * dead letters → Redis) and the maintenance scheduler (rollups, retention).
 */
export class SinkRuntime {
  readonly metrics: SinkMetrics;
  private readonly parts: Set<SinkPart>;

  constructor(
    private readonly opts: SinkOptions,
    private readonly p: SinkParts,
  ) {
    this.metrics = p.metrics;
    this.parts = new Set(opts.parts ?? DEFAULT_SINK_PARTS);
  }

  async start(): Promise<void> {
    if (this.opts.provision) {
      await provisionTopics(this.p.kafka, topicSpecs(this.opts.topicPrefix), this.opts.replicationFactor);
      await migrate(this.opts.databaseUrl);
    }
    await this.p.deadLetters.connect();
    for (const [part, c] of this.p.consumers) {
      await c.start();
      this.p.log.info({ part }, 'sink consumer started');
    }
    if (this.parts.has('maintenance')) this.p.maintenance.start();
  }

  /** Graceful: stop fetching and leave the groups (offsets of durable batches are committed already). */
  async stop(): Promise<void> {
    await Promise.all([...this.p.consumers.values()].map((c) => c.stop().catch(() => undefined)));
    await this.p.maintenance.stop();
    await this.p.deadLetters.disconnect().catch(() => undefined);
    await this.p.pool.end().catch(() => undefined);
    this.p.redis.disconnect();
  }

  /** Readiness checks: each consumer's state, and each store answering a ping. */
  checks(): Record<string, () => Promise<HealthState>> {
    const out: Record<string, () => Promise<HealthState>> = {};
    for (const [part, c] of this.p.consumers) out[`consumer-${part}`] = () => Promise.resolve(c.health());
    if (this.parts.has('redis') || this.parts.has('deadletters'))
      out.redis = () => probe(() => this.p.hot.ping());
    if (this.parts.has('postgres') || this.parts.has('maintenance'))
      out.postgres = () => probe(() => this.p.aggregates.ping());
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
