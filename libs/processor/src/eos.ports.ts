import type { Transaction } from 'kafkajs';
import type { EventDecoder } from '@streammetrics/registry';
import type { ChangelogEntry } from '@streammetrics/windowing';
import type { RestoreTarget } from './changelog.restorer';

/*
 * The ports of the exactly-once runtime: what it needs from Kafka, named by what the runtime does
 * with it. The kafkajs adapters (kafka-input.consumer.ts, kafka.producers.ts) implement them for
 * the app; unit tests drive the runtime's logic through small in-memory ones.
 */

/** One input record as the runtime reads it. */
export interface InputRecord {
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
}

export interface InputBatch {
  partition: number;
  messages: InputRecord[];
  lastOffset(): string;
  offsetLag(): string;
}

/** The consumer's controls around one batch (kafkajs' eachBatch payload has exactly these). */
export interface BatchControl {
  isRunning(): boolean;
  isStale(): boolean;
  heartbeat(): Promise<void>;
  /** Moves the fetch position only; the group's offsets move inside transactions. */
  resolveOffset(offset: string): void;
}

export interface InputHandlers {
  /** The full set of input partitions this member owns after a rebalance. */
  assigned(partitions: Set<number>): void;
  batch(batch: InputBatch, control: BatchControl): Promise<void>;
  /** The consumer crashed; `restarting` says whether it comes back by itself. */
  crashed(error: unknown, restarting: boolean): void;
}

/** The input topic's consumer group member, autoCommit off, read_committed. */
export interface InputConsumer {
  run(handlers: InputHandlers): Promise<void>;
  seek(partition: number, offset: string): void;
  /** The group's committed offsets; a partition never committed starts at its earliest offset. */
  committedOffsets(partitions: number[]): Promise<Map<number, string>>;
  /** Stops fetching; the member stays in the group until disconnect. */
  stop(): Promise<void>;
  disconnect(): Promise<void>;
}

export type TransactionPort = Pick<Transaction, 'sendBatch' | 'sendOffsets' | 'commit' | 'abort'>;

/** A transactional producer; connecting initialises its transactional id, which fences older owners. */
export interface TransactionalProducer {
  connect(): Promise<void>;
  transaction(): Promise<TransactionPort>;
  disconnect(): Promise<void>;
}

export type ProducerFactory = (transactionalId: string) => TransactionalProducer;

/** Reads each partition's changelog up to its barrier record: the latest value per key. */
export type ChangelogRestorer = (targets: RestoreTarget[]) => Promise<Map<number, ChangelogEntry[]>>;

export type BatchDecoder = Pick<EventDecoder, 'prepare' | 'decode'>;

export interface RuntimeLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}
