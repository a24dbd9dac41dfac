import type { Consumer, EachBatchPayload, Kafka, KafkaMessage } from 'kafkajs';
import type { Clock } from '@streammetrics/contracts';
import {
  committedConsumer,
  ConsumerHealth,
  heartbeatingSleep,
  type ConsumerFailure,
} from '@streammetrics/kafka';
import type { HealthState } from '@streammetrics/observability';
import { backoffDelay, type RetryPolicy } from './retry.policy';
import { isRetriable, messageOf } from './store.errors';
import type { SinkLog } from './sink.log';
import type { SinkMetrics } from './sink.metrics';

export interface BatchOutcome {
  /** Records that changed the store. */
  applied: number;
  /** Records written (after keeping the newest version per window). */
  written: number;
}

/** What a consumer group does with one fetched batch; throws a retriable error while the store is down. */
export type BatchHandler = (
  topic: string,
  partition: number,
  messages: KafkaMessage[],
) => Promise<BatchOutcome>;

export interface StoreConsumerOptions {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /** Label of the store in metrics and logs. */
  store: string;
  handler: BatchHandler;
  retryPolicy: RetryPolicy;
  partitionsConsumedConcurrently: number;
  metrics: SinkMetrics;
  log: SinkLog;
  clock: Clock;
  /** Called with the topic-to-store latency (ms) of every record of a durable batch (benchmarks). */
  onDurable?: (latenciesMs: number[]) => void;
  /** Called once when kafkajs gives up on this consumer: it will not restart it by itself. */
  onFatal?: (failure: ConsumerFailure) => void;
}

/**
 * One consumer group feeding one store. Offsets are committed only after the handler returned, that
 * is after the write is durable; while the store is down the same batch is retried in place with
 * capped exponential backoff, heartbeating so the group does not evict us, and nothing is resolved,
 * so the partition resumes exactly where it stopped. Other groups (the other store) are unaffected.
 */
export class StoreConsumer {
  private readonly consumer: Consumer;
  private readonly state: ConsumerHealth;
  private logRetryAfter = 0;

  constructor(private readonly opts: StoreConsumerOptions) {
    this.consumer = committedConsumer(opts.kafka, opts.groupId, 250);
    this.state = new ConsumerHealth(this.consumer, {
      name: 'sink consumer',
      fields: { store: opts.store },
      log: opts.log,
      onFatal: (f) => {
        opts.metrics.consumerFailures.inc({ store: opts.store, reason: f.reason });
        opts.onFatal?.(f);
      },
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    // A new group starts at the beginning: a window written before the sink ever ran still counts.
    await this.consumer.subscribe({ topics: this.opts.topics, fromBeginning: true });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: this.opts.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.onBatch(payload),
    });
  }

  /** Stops fetching, lets the batch in hand finish (or abandon its retries), leaves the group. */
  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  health(): HealthState {
    return this.state.health();
  }

  private async onBatch(p: EachBatchPayload): Promise<void> {
    const { batch } = p;
    if (batch.messages.length === 0) return;
    const { store, metrics } = this.opts;
    for (let attempt = 0; ; attempt++) {
      if (!p.isRunning() || p.isStale()) return;
      const t0 = performance.now();
      try {
        const outcome = await this.opts.handler(batch.topic, batch.partition, batch.messages);
        const durableAt = this.opts.clock.now();
        metrics.writeSeconds.observe({ store }, (performance.now() - t0) / 1000);
        metrics.batchSize.observe({ store }, outcome.written);
        metrics.consumed.inc({ store }, batch.messages.length);
        metrics.written.inc({ store }, outcome.applied);
        metrics.storeUp.set({ store }, 1);
        this.observeLatencies(batch.messages, durableAt);
        if (this.state.failing) {
          this.opts.log.info({ store, attempts: attempt }, 'store reachable again; resuming');
          this.state.failing = undefined;
        }
        break;
      } catch (err) {
        if (!isRetriable(err)) throw err;
        this.state.failing = messageOf(err);
        metrics.retries.inc({ store });
        metrics.storeUp.set({ store }, 0);
        const now = this.opts.clock.now();
        if (now >= this.logRetryAfter) {
          this.logRetryAfter = now + 5_000;
          this.opts.log.warn(
            { store, topic: batch.topic, partition: batch.partition, attempt, err: this.state.failing },
            'store unavailable; retrying the batch',
          );
        }
        await heartbeatingSleep(backoffDelay(attempt, this.opts.retryPolicy), p);
      }
    }
    const last = batch.lastOffset();
    p.resolveOffset(last);
    await this.consumer.commitOffsets([
      { topic: batch.topic, partition: batch.partition, offset: (BigInt(last) + 1n).toString() },
    ]);
    metrics.lag.set(
      { store, topic: batch.topic, partition: String(batch.partition) },
      Number(batch.offsetLag()),
    );
  }

  /** Topic-to-store latency of every record of a durable batch: one histogram child per batch. */
  private observeLatencies(messages: readonly KafkaMessage[], durableAt: number): void {
    const histogram = this.opts.metrics.topicToStoreSeconds.labels({ store: this.opts.store });
    const latencies = this.opts.onDurable ? new Array<number>(messages.length) : undefined;
    for (let i = 0; i < messages.length; i++) {
      const l = durableAt - Number((messages[i] as KafkaMessage).timestamp);
      histogram.observe(l / 1000);
      if (latencies) latencies[i] = l;
    }
    if (latencies) this.opts.onDurable?.(latencies);
  }
}
