import type { MetricEvent } from '@streammetrics/contracts';

/** Where simulated events go: Kafka directly or the ingest gateway. */
export interface EventSink {
  readonly description: string;
  connect(): Promise<void>;
  /** Resolves once every event of the batch is acknowledged; rejects if any could not be delivered. */
  send(events: MetricEvent[]): Promise<void>;
  close(): Promise<void>;
}

/** A delivery failure; `retriable` says whether sending the same batch again can help. */
export class SinkError extends Error {
  constructor(
    message: string,
    readonly retriable: boolean,
  ) {
    super(message);
    this.name = 'SinkError';
  }
}
