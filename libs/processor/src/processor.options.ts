import type { CompressionTypes } from 'kafkajs';
import type { ConsumerFailure, KafkaSecurity } from '@streammetrics/kafka';
import type { WindowingOptions } from '@streammetrics/windowing';

/** The injection token of the processor's options. */
export const PROCESSOR_OPTIONS = Symbol('PROCESSOR_OPTIONS');

/** Everything the exactly-once runtime needs to know, resolved from config once at start-up. */
export interface ProcessorOptions {
  brokers: string[];
  /** TLS and SASL for the brokers (kafkaSecurity of the app's config); absent = plaintext. */
  kafkaSecurity?: KafkaSecurity;
  /** Consumer group; also the prefix of every transactional id (`<group>-<topic>-<partition>`). */
  groupId: string;
  /** Namespaces every topic, so tests and benchmarks can run side by side. */
  topicPrefix: string;
  commitIntervalMs: number;
  sessionTimeoutMs: number;
  /** Must stay below the session timeout: a stuck transaction is aborted before the group gives up on us. */
  transactionTimeoutMs: number;
  windowing: Partial<WindowingOptions>;
  /** The Confluent-compatible API that resolves the schema ids of Confluent-framed values. */
  schemaRegistryUrl: string;
  /** Codec of the batches the processor writes (outputs, dead letters, changelog). */
  compression: CompressionTypes;
  /**
   * Called once when the input consumer stopped for good; the app exits non-zero so its supervisor
   * restarts it, and the uncommitted work is redone from the committed offsets.
   */
  onFatal?: (failure: ConsumerFailure) => void;
}

export interface ProcessorTopics {
  input: string;
  changelog: string;
  deadLetter: string;
  prefix: string;
}
