/**
 * What a consumer that kafkajs gave up on (a crash it will not restart from) tells its operator.
 * An undecodable record batch (see scripts/patches/kafkajs+2.2.4.patch) carries the topic,
 * partition and offset; fetching the same bytes again cannot help, so the app must stop — readiness
 * false, counted, exit non-zero — and never skip past the batch, which would lose its records.
 */
export interface ConsumerFailure {
  reason: 'UNDECODABLE_BATCH' | 'CONSUMER_STOPPED';
  message: string;
  topic?: string;
  partition?: number;
  offset?: string;
}

export function describeConsumerFailure(err: unknown): ConsumerFailure {
  const e = err as Error & { name?: string; topic?: string; partition?: number; offset?: string };
  if (e?.name === 'KafkaJSUndecodableBatchError') {
    return {
      reason: 'UNDECODABLE_BATCH',
      message: e.message,
      topic: e.topic,
      partition: e.partition,
      offset: e.offset,
    };
  }
  return { reason: 'CONSUMER_STOPPED', message: e instanceof Error ? e.message : String(err) };
}
