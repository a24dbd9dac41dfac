import { randomUUID } from 'node:crypto';
import type { Kafka, Message, Producer } from 'kafkajs';
import type { DeadLetterReason } from '@streammetrics/contracts';
import { CachedDefaultPartitioner } from '@streammetrics/kafka';
import type { EventDecoder } from '@streammetrics/registry';
import { PartitionWindows, type ChangelogEntry } from '@streammetrics/windowing';
import { BARRIER_KEY } from './changelog.restorer';
import { deadLetterMessage, type SourceRecord } from './dead-letter.message';
import type { ProcessorMetrics } from './processor.metrics';
import type { ProcessorOptions, ProcessorTopics } from './processor.options';
import { SerialQueue } from './serial.queue';
import { chunks, transactionMessages } from './transaction.messages';

/** Upper bound of one produce call inside a transaction, below the broker's 1 MiB batch limit. */
const MAX_SEND_BYTES = 512 * 1024;

export type TaskState = 'initializing' | 'ready' | 'closed';

/**
 * Everything one input partition owns: its window state, its transactional producer and the
 * offset up to which both are consistent. All work on it runs through `queue`.
 */
export class PartitionTask {
  readonly queue = new SerialQueue();
  private current: TaskState = 'initializing';
  windows: PartitionWindows;
  /** Next input offset to process; everything before it is reflected in `windows`. */
  nextOffset = '0';
  /** Next input offset as committed in the last transaction. */
  committedOffset = '0';
  lastCommitAt = 0;
  private dirty = false;
  private deadLetters: Message[] = [];
  private producer: Producer | undefined;

  constructor(
    readonly partition: number,
    private readonly kafka: Kafka,
    private readonly opts: ProcessorOptions,
    private readonly topics: ProcessorTopics,
    private readonly metrics: ProcessorMetrics,
    private readonly decoder: EventDecoder,
  ) {
    this.windows = new PartitionWindows(opts.windowing);
  }

  get state(): TaskState {
    return this.current;
  }

  /** After a failed transaction: nothing is processed until the partition is rebuilt and installed. */
  rebuilding(): void {
    if (this.current === 'ready') this.current = 'initializing';
  }

  get transactionalId(): string {
    return `${this.opts.groupId}-${this.topics.input}-${this.partition}`;
  }

  /**
   * Creates the transactional producer and commits a barrier record to this partition's changelog.
   * Initialising the transactional id fences any zombie owner and aborts its open transaction, so
   * after this the committed offset and the changelog no longer move under us.
   */
  async openProducer(): Promise<string> {
    await this.closeProducer();
    const producer = this.kafka.producer({
      transactionalId: this.transactionalId,
      idempotent: true,
      maxInFlightRequests: 1,
      transactionTimeout: this.opts.transactionTimeoutMs,
      allowAutoTopicCreation: false,
      createPartitioner: CachedDefaultPartitioner,
      // A failed transaction is aborted and rebuilt, so retrying inside it is only about riding
      // out broker hiccups; kafkajs warns unless idempotent producers retry without limit.
      retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 100, maxRetryTime: 2000 },
    });
    await producer.connect();
    this.producer = producer;
    const barrier = randomUUID();
    const txn = await producer.transaction();
    try {
      await txn.send({
        topic: this.topics.changelog,
        acks: -1,
        messages: [{ key: BARRIER_KEY, value: barrier, partition: this.partition }],
      });
      await txn.commit();
    } catch (err) {
      await txn.abort().catch(() => undefined);
      throw err;
    }
    return barrier;
  }

  /** Installs restored state and the committed offset; the caller seeks the consumer there. */
  install(entries: ChangelogEntry[], committedOffset: string, now: number): void {
    this.windows = PartitionWindows.restore(this.opts.windowing, entries);
    this.nextOffset = committedOffset;
    this.committedOffset = committedOffset;
    this.dirty = false;
    this.deadLetters = [];
    this.lastCommitAt = now;
    this.current = 'ready';
  }

  /**
   * Folds a batch of input records into the window state; bad and late records become dead letters.
   * The decoder has prepared the batch: every writer schema it names is cached or known unknown.
   */
  ingest(messages: { offset: string; key: Buffer | null; value: Buffer | null }[], wallNow: number): void {
    const from = BigInt(this.nextOffset);
    let last: bigint | undefined;
    let count = 0;
    for (const m of messages) {
      const offset = BigInt(m.offset);
      if (offset < from) continue; // already reflected in the state (a batch fetched before a seek)
      last = offset;
      count++;
      const decoded = this.decoder.decode(m.value);
      if (!decoded.ok) {
        this.deadLetter(
          m,
          decoded.reason,
          decoded.problems.map((p) => `${p.field} ${p.message}`).join('; '),
          wallNow,
        );
        continue;
      }
      const outcome = this.windows.ingest(decoded.event, wallNow);
      if (outcome.kind === 'late') {
        this.deadLetter(
          m,
          'LATE_EVENT',
          `older than every open window (stream time ${this.windows.streamTime})`,
          wallNow,
        );
      } else {
        for (const w of outcome.missedWindows) this.metrics.lateWindowMisses.inc({ window: w });
      }
    }
    if (last !== undefined) {
      this.nextOffset = (last + 1n).toString();
      this.dirty = true;
      this.metrics.recordsIn.inc({ partition: String(this.partition) }, count);
    }
  }

  private deadLetter(
    m: { offset: string; key: Buffer | null; value: Buffer | null },
    reason: DeadLetterReason,
    error: string,
    now: number,
  ): void {
    const source: SourceRecord = { topic: this.topics.input, partition: this.partition, ...m };
    this.deadLetters.push(deadLetterMessage(source, reason, error, now));
    this.metrics.deadLetters.inc({ reason });
  }

  /**
   * One transaction: window outputs, dead letters, changelog changes and the input offset, all or
   * nothing. Throws on any failure; the caller then rebuilds the partition from the changelog,
   * because `collect()` has already moved the in-memory state past what Kafka holds.
   */
  async commit(wallNow: number): Promise<void> {
    const producer = this.producer;
    if (!producer || this.state !== 'ready') return;
    this.windows.tick(wallNow);
    const collected = this.windows.collect(wallNow);
    const offsetMoved = this.nextOffset !== this.committedOffset;
    if (!this.dirty && !offsetMoved && collected.outputs.length === 0 && collected.changelog.length === 0) {
      this.lastCommitAt = wallNow;
      return;
    }
    const started = performance.now();
    const txn = await producer.transaction();
    try {
      const messages = transactionMessages(collected, this.deadLetters, this.topics, this.partition);
      for (const chunk of chunks(messages, MAX_SEND_BYTES)) {
        await txn.sendBatch({ topicMessages: chunk, acks: -1, compression: this.opts.compression });
      }
      if (offsetMoved) {
        await txn.sendOffsets({
          consumerGroupId: this.opts.groupId,
          topics: [
            {
              topic: this.topics.input,
              partitions: [{ partition: this.partition, offset: this.nextOffset }],
            },
          ],
        });
      }
      await txn.commit();
    } catch (err) {
      this.metrics.transactions.inc({ result: 'aborted' });
      await txn.abort().catch(() => undefined);
      throw err;
    }
    this.metrics.transactions.inc({ result: 'committed' });
    this.metrics.commitLatency.observe((performance.now() - started) / 1000);
    for (const o of collected.outputs) this.metrics.outputs.inc({ emit: o.emit });
    this.committedOffset = this.nextOffset;
    this.dirty = false;
    this.deadLetters = [];
    this.lastCommitAt = wallNow;
    const stats = this.windows.stats();
    const p = String(this.partition);
    this.metrics.activeSeries.set({ partition: p }, stats.activeSeries);
    this.metrics.activeSlices.set({ partition: p }, stats.activeSlices);
    this.metrics.overflowed.set({ partition: p }, stats.overflowed);
    this.metrics.seriesOverflowed.set({ partition: p }, stats.seriesOverflowed);
  }

  async closeProducer(): Promise<void> {
    const p = this.producer;
    this.producer = undefined;
    await p?.disconnect().catch(() => undefined);
  }

  async close(): Promise<void> {
    this.current = 'closed';
    await this.closeProducer();
  }
}
