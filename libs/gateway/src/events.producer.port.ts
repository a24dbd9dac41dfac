import type { Message } from 'kafkajs';

/** What the publisher needs from Kafka (KafkaEventsRepository in the app, a fake in unit tests). */
export interface EventsProducer {
  readonly topic: string;
  /** Provisions the topic once and connects fresh producers. */
  connect(): Promise<void>;
  /** Resolves once the broker acknowledged every record (acks=all) on producer `slot`. */
  send(slot: number, messages: Message[]): Promise<void>;
  /** Drops the producers (their sequence state cannot be trusted after a failure). */
  reset(): Promise<void>;
  /** Cheap check of the path to the topic's leaders. */
  probe(): Promise<void>;
  close(): Promise<void>;
}

export const EVENTS_PRODUCER = Symbol('EVENTS_PRODUCER');
