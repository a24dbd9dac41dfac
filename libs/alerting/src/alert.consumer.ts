import { setTimeout as sleep } from 'node:timers/promises';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { decodeAggregate, type AggregateRecord } from '@streammetrics/contracts';
import {
  committedConsumer,
  ConsumerHealth,
  heartbeatingSleep,
  type ConsumerFailure,
} from '@streammetrics/kafka';
import type { HealthState } from '@streammetrics/observability';
import { backoffDelay, messageOf, type RetryPolicy } from '@streammetrics/sink';
import type { AlertEvaluator } from './alert.evaluator';
import type { AlertStatesRepository } from './alert-states.repository';
import type { AlertingLog } from './alerting.log';
import type { AlertingMetrics } from './alerting.metrics';

export interface AlertConsumerOptions {
  kafka: Kafka;
  groupId: string;
  /** Full topic name → the unprefixed aggregate topic rules name. */
  topics: Map<string, string>;
  /** Where a group with no stored offsets starts: the oldest retained window results, or new ones. */
  fromBeginning: boolean;
  evaluator: AlertEvaluator;
  store: AlertStatesRepository;
  metrics: AlertingMetrics;
  log: AlertingLog;
  retry: RetryPolicy;
  /** Runs evaluation work one piece at a time (batches and repeat notifications share the states). */
  exclusive: <T>(fn: () => Promise<T>) => Promise<T>;
  /** Called after a batch's notifications are committed (the dispatcher sends them at once). */
  onCommitted: () => void;
  onFatal?: (failure: ConsumerFailure) => void;
}

const tp = (topic: string, partition: number) => `${topic}:${partition}`;

/**
 * Reads the aggregate topics read_committed and feeds the evaluator. The offsets that count are the
 * ones in PostgreSQL, committed with the states and the outbox: on assignment the evaluator loads
 * the partition's states and the consumer seeks to the stored offset, and a record below it (its
 * effects are stored already) is skipped. The Kafka commit that follows is only a hint for a
 * restart. (Stored offsets are not compared for equality: transaction markers leave gaps.)
 */
export class AlertConsumer {
  private readonly consumer: Consumer;
  private readonly next = new Map<string, bigint>();
  private readonly streamTime = new Map<string, number>();
  private loading: Promise<void> = Promise.resolve();
  private readonly state: ConsumerHealth;

  constructor(private readonly opts: AlertConsumerOptions) {
    this.consumer = committedConsumer(opts.kafka, opts.groupId, 100);
    this.state = new ConsumerHealth(this.consumer, {
      name: 'alerting consumer',
      log: opts.log,
      onFatal: opts.onFatal,
      onJoin: (e) => (this.loading = this.assign(e.payload.memberAssignment)),
    });
  }

  async start(): Promise<void> {
    await this.consumer.connect();
    await this.consumer.subscribe({
      topics: [...this.opts.topics.keys()],
      fromBeginning: this.opts.fromBeginning,
    });
    await this.consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 1,
      eachBatch: (p) => this.onBatch(p),
    });
  }

  async stop(): Promise<void> {
    await this.consumer.disconnect();
  }

  health(): HealthState {
    return this.state.health();
  }

  /** Loads the assigned partitions' states and stored offsets, and seeks to those offsets. */
  private async assign(assignment: Record<string, number[]>): Promise<void> {
    const owned = new Set<string>();
    for (;;) {
      try {
        for (const [topic, partitions] of Object.entries(assignment)) {
          const offsets = await this.opts.store.loadOffsets(topic);
          for (const partition of partitions) {
            owned.add(tp(topic, partition));
            this.opts.evaluator.load(topic, partition, await this.opts.store.loadStates(topic, partition));
            const stored = offsets.get(partition);
            if (stored === undefined) {
              this.next.delete(tp(topic, partition));
              continue;
            }
            this.next.set(tp(topic, partition), BigInt(stored));
            this.consumer.seek({ topic, partition, offset: stored });
          }
        }
        this.opts.evaluator.retain((topic, partition) => owned.has(tp(topic, partition)));
        return;
      } catch (err) {
        this.state.failing = `cannot load alert states: ${messageOf(err)}`;
        this.opts.log.warn({ err: messageOf(err) }, 'cannot load alert states; retrying');
        await sleep(1_000);
      }
    }
  }

  private async onBatch(p: EachBatchPayload): Promise<void> {
    await this.loading;
    const { batch } = p;
    const key = tp(batch.topic, batch.partition);
    const expected = this.next.get(key);
    const messages = batch.messages.filter((m) => expected === undefined || BigInt(m.offset) >= expected);
    if (messages.length === 0) return;
    const window = this.opts.topics.get(batch.topic) ?? batch.topic;
    const records: AggregateRecord[] = [];
    let streamTime = this.streamTime.get(key) ?? 0;
    for (const m of messages) {
      try {
        const r = decodeAggregate(m.value);
        records.push(r);
        if (r.streamTime > streamTime) streamTime = r.streamTime;
      } catch {
        this.opts.metrics.undecodable.inc();
      }
    }
    const last = BigInt(messages[messages.length - 1]?.offset ?? '0');
    const nextOffset = (last + 1n).toString();
    for (let attempt = 0; ; attempt++) {
      if (!p.isRunning() || p.isStale()) return;
      const t0 = performance.now();
      try {
        await this.opts.exclusive(async () => {
          const changes = this.opts.evaluator.evaluate(
            window,
            batch.topic,
            batch.partition,
            records,
            streamTime,
          );
          await this.opts.store.commit(changes, {
            topic: batch.topic,
            partition: batch.partition,
            nextOffset,
          });
          this.opts.evaluator.apply(changes);
          for (const h of changes.history) this.opts.metrics.transitions.inc({ to: h.to });
          if (changes.outbox.length > 0) this.opts.onCommitted();
        });
        this.opts.metrics.batchSeconds.observe((performance.now() - t0) / 1000);
        this.opts.metrics.records.inc(records.length);
        this.state.failing = undefined;
        break;
      } catch (err) {
        this.state.failing = `PostgreSQL unavailable: ${messageOf(err)}`;
        this.opts.metrics.storeRetries.inc();
        if (attempt % 10 === 0)
          this.opts.log.warn({ attempt, err: messageOf(err) }, 'cannot store alert states; retrying');
        await heartbeatingSleep(backoffDelay(attempt, this.opts.retry), p);
      }
    }
    this.next.set(key, last + 1n);
    this.streamTime.set(key, streamTime);
    p.resolveOffset(last.toString());
    await this.consumer
      .commitOffsets([{ topic: batch.topic, partition: batch.partition, offset: nextOffset }])
      .catch((err: unknown) =>
        this.opts.log.warn({ err: messageOf(err) }, 'Kafka offset commit failed (PostgreSQL has them)'),
      );
  }
}
