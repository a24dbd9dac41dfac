import { CompressionTypes, type Producer } from 'kafkajs';
import type { MetricEvent } from '@streammetrics/contracts';
import { CachedDefaultPartitioner, createKafka, type KafkaSecurity } from '@streammetrics/kafka';
import type { EventSink } from './fleet.sink';

export interface KafkaSinkOptions {
  brokers: string[];
  security?: KafkaSecurity;
  topic: string;
  clientId?: string;
  /** Codec of the batches (default none). */
  compression?: CompressionTypes;
}

/**
 * Produces events the way a Spring Boot service configured for safety would: JSON values, key =
 * serviceId (so one service's events stay ordered in one partition), acks=all and idempotence.
 * kafkajs does not batch across send() calls, so the caller hands over whole batches and one
 * sendBatch carries them, grouped into one request per broker.
 */
export class KafkaEventSink implements EventSink {
  readonly description: string;
  private readonly producer: Producer;

  constructor(private readonly opts: KafkaSinkOptions) {
    this.description = `kafka ${opts.brokers.join(',')} topic ${opts.topic}`;
    this.producer = createKafka({
      brokers: opts.brokers,
      security: opts.security,
      clientId: opts.clientId ?? 'fleet-simulator',
      log: (level, message) => {
        if (level === 'error') process.stderr.write(`[fleet] kafka: ${message}\n`);
      },
    }).producer({
      idempotent: true,
      // Idempotence keeps per-partition order only with a single request in flight.
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
      createPartitioner: CachedDefaultPartitioner,
    });
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  async send(events: MetricEvent[]): Promise<void> {
    if (events.length === 0) return;
    await this.producer.sendBatch({
      acks: -1,
      compression: this.opts.compression ?? CompressionTypes.None,
      topicMessages: [
        {
          topic: this.opts.topic,
          messages: events.map((e) => ({ key: e.serviceId, value: JSON.stringify(e) })),
        },
      ],
    });
  }

  close(): Promise<void> {
    return this.producer.disconnect();
  }
}
