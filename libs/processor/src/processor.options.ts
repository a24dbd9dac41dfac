import type { WindowingOptions } from '@streammetrics/windowing';

/** Everything the exactly-once runtime needs to know, resolved from config once at start-up. */
export interface ProcessorOptions {
  brokers: string[];
  /** Consumer group; also the prefix of every transactional id (`<group>-<topic>-<partition>`). */
  groupId: string;
  /** Namespaces every topic, so tests and benchmarks can run side by side. */
  topicPrefix: string;
  commitIntervalMs: number;
  sessionTimeoutMs: number;
  /** Must stay below the session timeout: a stuck transaction is aborted before the group gives up on us. */
  transactionTimeoutMs: number;
  windowing: Partial<WindowingOptions>;
}

export interface ProcessorTopics {
  input: string;
  changelog: string;
  deadLetter: string;
  prefix: string;
}
