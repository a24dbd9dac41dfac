import type { SinkRecord } from './aggregate.batch';
import type { UnwritableRecordError } from './store.errors';

/** What one store's consumer group needs from its repository. */
export interface StoreWriteResult {
  /** Records that changed the store (new windows or newer versions). */
  applied: number;
  /** Records the store refused on their own merits: they go to the dead-letter topic. */
  rejected: { record: SinkRecord; error: UnwritableRecordError }[];
}

export interface StoreWriter {
  readonly store: 'redis' | 'postgres';
  /** Throws StoreUnavailableError (retriable) when the store cannot be reached. */
  write(records: readonly SinkRecord[]): Promise<StoreWriteResult>;
  ping(): Promise<void>;
}
