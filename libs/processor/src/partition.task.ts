import type { Message } from 'kafkajs';
import { PartitionWindows, type ChangelogEntry } from '@streammetrics/windowing';
import type { BatchDecoder, InputRecord, ProducerFactory } from './eos.ports';
import { PartitionProducer } from './partition.producer';
import { commitTransaction } from './partition.transaction';
import type { ProcessorMetrics } from './processor.metrics';
import type { ProcessorOptions, ProcessorTopics } from './processor.options';
import { ingestRecords } from './record.ingest';
import { SerialQueue } from './serial.queue';
import { transactionMessages } from './transaction.messages';

export type TaskState = 'initializing' | 'ready' | 'closed';

/** The legal moves of a task; anything else is a bug in the runtime and fails loudly. */
const TRANSITIONS: Record<TaskState, readonly TaskState[]> = {
  initializing: ['ready', 'closed'],
  ready: ['initializing', 'closed'],
  closed: [],
};

/** What every task of one runtime shares. */
export interface TaskContext {
  opts: ProcessorOptions;
  topics: ProcessorTopics;
  metrics: ProcessorMetrics;
  decoder: BatchDecoder;
  producers: ProducerFactory;
}

/**
 * Everything one input partition owns: its window state, its transactional producer and the
 * offset up to which both are consistent. All work on it runs through `queue`; its state changes
 * only through its own methods.
 */
export class PartitionTask {
  readonly queue = new SerialQueue();
  private current: TaskState = 'initializing';
  private windows: PartitionWindows;
  /** Next input offset to process; everything before it is reflected in `windows`. */
  private nextOffset = '0';
  /** Next input offset as committed in the last transaction. */
  private committedOffset = '0';
  private lastCommit = 0;
  private installs = 0;
  private dirty = false;
  private deadLetters: Message[] = [];
  private readonly producer: PartitionProducer;

  constructor(
    readonly partition: number,
    private readonly ctx: TaskContext,
  ) {
    this.windows = new PartitionWindows(ctx.opts.windowing);
    this.producer = new PartitionProducer(
      ctx.producers,
      `${ctx.opts.groupId}-${ctx.topics.input}-${partition}`,
      ctx.topics.changelog,
      partition,
    );
  }

  get state(): TaskState {
    return this.current;
  }

  /** Changes with every install: a batch fetched under an older one predates the consumer's seek. */
  get generation(): number {
    return this.installs;
  }

  get transactionalId(): string {
    return this.producer.transactionalId;
  }

  /** Ready, and at least one commit interval since the last commit. */
  commitDue(wallNow: number): boolean {
    return this.current === 'ready' && wallNow - this.lastCommit >= this.ctx.opts.commitIntervalMs;
  }

  private moveTo(next: TaskState): void {
    if (!TRANSITIONS[this.current].includes(next)) {
      throw new Error(`partition ${this.partition}: illegal transition ${this.current} -> ${next}`);
    }
    this.current = next;
  }

  /** Opens (fences) the producer and commits the barrier the restore reads up to. */
  openProducer(): Promise<string> {
    return this.producer.open();
  }

  /** After a failed transaction: nothing is processed until the partition is rebuilt and installed. */
  rebuilding(): void {
    if (this.current === 'ready') this.moveTo('initializing');
  }

  /** Installs restored state and the committed offset; the caller seeks the consumer there. */
  install(entries: ChangelogEntry[], committedOffset: string, wallNow: number): void {
    this.moveTo('ready');
    this.installs++;
    this.windows = PartitionWindows.restore(this.ctx.opts.windowing, entries);
    this.nextOffset = committedOffset;
    this.committedOffset = committedOffset;
    this.dirty = false;
    this.deadLetters = [];
    this.lastCommit = wallNow;
  }

  /**
   * Folds a batch of input records into the window state; bad and late records become dead letters.
   * The decoder has prepared the batch: every writer schema it names is cached or known unknown.
   */
  ingest(records: readonly InputRecord[], wallNow: number): void {
    this.assertReady('ingest');
    const { last, count } = ingestRecords(
      {
        topic: this.ctx.topics.input,
        partition: this.partition,
        windows: this.windows,
        decoder: this.ctx.decoder,
        metrics: this.ctx.metrics,
        deadLetters: this.deadLetters,
      },
      records,
      BigInt(this.nextOffset),
      wallNow,
    );
    if (last === undefined) return;
    this.nextOffset = (last + 1n).toString();
    this.dirty = true;
    this.ctx.metrics.recordsIn.inc({ partition: String(this.partition) }, count);
  }

  /**
   * One transaction: window outputs, dead letters, changelog changes and the input offset, all or
   * nothing. Everything it writes is taken before its first await, so batches may be ingested while
   * it is in flight; they go into the next one. Throws on any failure; the caller then rebuilds the
   * partition from the changelog, because `collect()` has already moved the in-memory state past
   * what Kafka holds.
   */
  async commit(wallNow: number): Promise<void> {
    this.assertReady('commit');
    this.windows.tick(wallNow);
    const collected = this.windows.collect(wallNow);
    const next = this.nextOffset;
    const offsetMoved = next !== this.committedOffset;
    if (!this.dirty && !offsetMoved && collected.outputs.length === 0 && collected.changelog.length === 0) {
      this.lastCommit = wallNow;
      return;
    }
    const { opts, topics, metrics } = this.ctx;
    const messages = transactionMessages(collected, this.deadLetters, topics, this.partition);
    this.deadLetters = [];
    this.dirty = false;
    const started = performance.now();
    try {
      await commitTransaction(await this.producer.begin(), {
        messages,
        offset: offsetMoved
          ? { groupId: opts.groupId, topic: topics.input, partition: this.partition, next }
          : undefined,
        compression: opts.compression,
      });
    } catch (err) {
      metrics.transactions.inc({ result: 'aborted' });
      throw err;
    }
    metrics.recordCommit(
      this.partition,
      (performance.now() - started) / 1000,
      collected.outputs,
      this.windows.stats(),
    );
    this.committedOffset = next;
    this.lastCommit = wallNow;
  }

  private assertReady(what: string): void {
    if (this.current !== 'ready')
      throw new Error(`partition ${this.partition}: ${what} while ${this.current}`);
  }

  async close(): Promise<void> {
    if (this.current !== 'closed') this.moveTo('closed');
    await this.producer.close();
  }
}
