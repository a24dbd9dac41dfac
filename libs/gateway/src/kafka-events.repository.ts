import type { Admin, CompressionTypes, Kafka, Message, Producer } from 'kafkajs';
import { topicSpecs, EVENTS_TOPIC } from '@streammetrics/contracts';
import {
  CachedDefaultPartitioner,
  createKafka,
  provisionTopics,
  type KafkaClientOptions,
  type KafkaSecurity,
} from '@streammetrics/kafka';
import type { EventsProducer } from './events.producer.port';

export interface KafkaEventsOptions {
  brokers: string[];
  security?: KafkaSecurity;
  clientId: string;
  topicPrefix: string;
  replicationFactor: number;
  /** Broker-side wait for acks=all, ms. */
  ackTimeoutMs: number;
  sendRetries: number;
  /** Producers used side by side: each has one request in flight (kafkajs serialises per broker). */
  producers: number;
  compression: CompressionTypes;
  log?: KafkaClientOptions['log'];
}

/**
 * kafkajs behind one class (services never call it): an idempotent producer with acks=all for the
 * events topic, and an admin client for the topic and for readiness probes.
 *
 * Retries are bounded so an unreachable broker fails a flush in seconds instead of never (the
 * idempotent default is unbounded). kafkajs warns that this may break idempotence: a batch that
 * failed here may still have been written, and reusing its sequence numbers for different records
 * would make the broker drop those as duplicates. The publisher therefore never sends again on a
 * producer after a failure — it calls `reset()` and the next `connect()` makes new producer ids.
 * Several producers work side by side because one idempotent kafkajs producer has one produce
 * request per broker in flight: with acks=all, throughput would be bounded by one round trip.
 */
export class KafkaEventsRepository implements EventsProducer {
  readonly topic: string;
  private producers: Producer[] = [];
  private readonly admin: Admin;
  private readonly producerKafka: Kafka;
  private topicReady = false;

  constructor(private readonly opts: KafkaEventsOptions) {
    this.topic = `${opts.topicPrefix}${EVENTS_TOPIC}`;
    this.producerKafka = createKafka({
      brokers: opts.brokers,
      security: opts.security,
      clientId: opts.clientId,
      retries: opts.sendRetries,
      log: opts.log,
    });
    this.admin = createKafka({
      brokers: opts.brokers,
      security: opts.security,
      clientId: `${opts.clientId}-admin`,
      retries: 0,
      connectionTimeoutMs: 1000,
      log: opts.log,
    }).admin();
  }

  /** Creates the topic once (idempotent: the project owns its topics) and connects fresh producers. */
  async connect(): Promise<void> {
    if (!this.topicReady) {
      const spec = topicSpecs(this.opts.topicPrefix).filter((s) => s.topic === this.topic);
      await provisionTopics(this.producerKafka, spec, this.opts.replicationFactor);
      this.topicReady = true;
    }
    const producers = Array.from({ length: this.opts.producers }, () =>
      this.producerKafka.producer({
        idempotent: true,
        maxInFlightRequests: 1,
        allowAutoTopicCreation: false,
        createPartitioner: CachedDefaultPartitioner,
        retry: { retries: this.opts.sendRetries, initialRetryTime: 100, maxRetryTime: 1000 },
      }),
    );
    try {
      await Promise.all(producers.map((p) => p.connect()));
    } catch (err) {
      await Promise.all(producers.map((p) => p.disconnect().catch(() => undefined)));
      throw err;
    }
    this.producers = producers;
  }

  /** Resolves once the broker acknowledged every record (acks=all); rejects otherwise. */
  async send(slot: number, messages: Message[]): Promise<void> {
    const producer = this.producers[slot];
    if (!producer) throw new Error('producer not connected');
    await producer.sendBatch({
      topicMessages: [{ topic: this.topic, messages }],
      acks: -1,
      timeout: this.opts.ackTimeoutMs,
      compression: this.opts.compression,
    });
  }

  /** Drops the producers (after a failure their sequence state cannot be trusted). */
  async reset(): Promise<void> {
    const old = this.producers;
    this.producers = [];
    await Promise.all(old.map((p) => p.disconnect().catch(() => undefined)));
  }

  /** Cheap liveness of the path to the topic's leaders, for readiness. */
  async probe(): Promise<void> {
    await this.admin.connect();
    await this.admin.fetchTopicMetadata({ topics: [this.topic] });
  }

  async close(): Promise<void> {
    await this.reset();
    await this.admin.disconnect().catch(() => undefined);
  }
}
