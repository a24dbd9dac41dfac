import type { Kafka } from 'kafkajs';
import { DEAD_LETTER_TOPIC, WINDOW_SPECS, type Clock } from '@streammetrics/contracts';
import { AggregateRepository } from './aggregate.repository';
import { AggregateSinkProcessor } from './aggregate-sink.processor';
import { DeadLetterProducer } from './dead-letter.producer';
import { DeadLetterRecorder } from './dead-letter.recorder';
import { HotStoreRepository } from './hot-store.repository';
import { DEFAULT_RETRY_POLICY } from './retry.policy';
import type { SinkLog } from './sink.log';
import type { SinkMetrics } from './sink.metrics';
import { DEFAULT_SINK_PARTS, SINK_GROUPS, type SinkOptions, type SinkPart } from './sink.options';
import { StoreConsumer } from './store.consumer';

export interface SinkConsumerDeps {
  kafka: Kafka;
  hot: HotStoreRepository;
  aggregates: AggregateRepository;
  deadLetters: DeadLetterProducer;
  metrics: SinkMetrics;
  clock: Clock;
  log: SinkLog;
}

/**
 * The sink's consumer groups, one per store so a store that is down holds back only itself: Redis
 * and PostgreSQL read every aggregate topic; the dead-letter group records dead letters in Redis.
 */
export function sinkConsumers(opts: SinkOptions, d: SinkConsumerDeps): Map<SinkPart, StoreConsumer> {
  const parts = new Set(opts.parts ?? DEFAULT_SINK_PARTS);
  const aggregateTopics = WINDOW_SPECS.map((w) => `${opts.topicPrefix}${w.topic}`);
  const common = {
    kafka: d.kafka,
    retryPolicy: opts.retryPolicy ?? DEFAULT_RETRY_POLICY,
    clock: d.clock,
    partitionsConsumedConcurrently: opts.partitionsConsumedConcurrently ?? 4,
    metrics: d.metrics,
    log: d.log,
    onFatal: opts.onFatal,
  };
  const group = (g: string) => `${opts.groupPrefix ?? ''}${g}`;
  const durable = (store: 'redis' | 'postgres') =>
    opts.onDurable && ((latencies: number[]) => opts.onDurable?.(store, latencies));
  const consumers = new Map<SinkPart, StoreConsumer>();
  if (parts.has('redis')) {
    const writer = {
      store: 'redis' as const,
      write: d.hot.writeAggregates.bind(d.hot),
      ping: () => d.hot.ping(),
    };
    // Redis keeps no dead letters of its own: an undecodable record is dead-lettered once, by PostgreSQL's group.
    const processor = new AggregateSinkProcessor(writer, d.deadLetters, d.metrics, {
      deadLetterUndecodable: false,
    });
    consumers.set(
      'redis',
      new StoreConsumer({
        ...common,
        groupId: group(SINK_GROUPS.redis),
        topics: aggregateTopics,
        store: 'redis',
        handler: processor.handle,
        onDurable: durable('redis'),
      }),
    );
  }
  if (parts.has('postgres')) {
    const processor = new AggregateSinkProcessor(d.aggregates, d.deadLetters, d.metrics, {
      deadLetterUndecodable: true,
    });
    consumers.set(
      'postgres',
      new StoreConsumer({
        ...common,
        groupId: group(SINK_GROUPS.postgres),
        topics: aggregateTopics,
        store: 'postgres',
        handler: processor.handle,
        onDurable: durable('postgres'),
      }),
    );
  }
  if (parts.has('deadletters')) {
    consumers.set(
      'deadletters',
      new StoreConsumer({
        ...common,
        groupId: group(SINK_GROUPS.deadLetters),
        topics: [`${opts.topicPrefix}${DEAD_LETTER_TOPIC}`],
        store: 'redis-deadletters',
        handler: new DeadLetterRecorder(d.hot).handle,
      }),
    );
  }
  return consumers;
}
