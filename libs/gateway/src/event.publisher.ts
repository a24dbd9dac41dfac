import { setTimeout as sleep } from 'node:timers/promises';
import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Message } from 'kafkajs';
import { HealthService } from '@streammetrics/observability';
import { EVENTS_PRODUCER, type EventsProducer } from './events.producer.port';
import { GatewayError } from './gateway.errors';
import { GatewayMetrics } from './gateway.metrics';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options';
import { InFlightBudget } from './in-flight.budget';
import { PublishQueue, sizeOf, type PublishJob } from './publish.queue';

export type PublisherState = 'connecting' | 'ready' | 'down' | 'closed';

/** The legal transitions; anything else is a bug and fails loudly. */
const TRANSITIONS: Record<PublisherState, readonly PublisherState[]> = {
  connecting: ['ready', 'down', 'closed'],
  ready: ['down', 'closed'],
  down: ['down', 'ready', 'closed'],
  closed: [],
};

/**
 * The producer's lifecycle around the micro-batching queue. Records of concurrent requests go into
 * one sendBatch (kafkajs does not batch across send() calls), at most one batch in flight per
 * producer; records arriving meanwhile form the next, larger batch. A request is answered only when
 * every one of its records was acknowledged with acks=all; if any batch carrying its records fails,
 * the whole request fails (503), never a part of it. A failure takes the publisher down: the
 * producers are dropped (a failed batch may still have been written, and its sequence numbers must
 * never be reused) and it reconnects with fresh ones.
 */
@Injectable()
export class EventPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(EventPublisher.name);
  private current: PublisherState = 'connecting';
  private lastError = 'not connected yet';
  private probeOk = true;
  private readonly queue: PublishQueue;
  private readonly budget: InFlightBudget;
  /** Free producer slots; a flush holds one while its batch is in flight. */
  private freeSlots: number[] = [];
  /** Bumped on every reset: a failure of a flush from an older generation must not reset the new producers. */
  private generation = 0;
  private timer?: NodeJS.Timeout;
  private probeTimer?: NodeJS.Timeout;
  private idle?: () => void;
  private connecting = false;

  constructor(
    @Inject(EVENTS_PRODUCER) private readonly kafka: EventsProducer,
    private readonly metrics: GatewayMetrics,
    private readonly health: HealthService,
    @Inject(GATEWAY_OPTIONS) private readonly opts: GatewayOptions,
  ) {
    this.queue = new PublishQueue(opts.maxBatchEvents, opts.maxBatchBytes);
    this.budget = new InFlightBudget(opts.maxInFlightEvents, opts.maxInFlightBytes, (n) =>
      metrics.inFlightEvents.set(n),
    );
  }

  get state(): PublisherState {
    return this.current;
  }

  private to(next: PublisherState): void {
    if (!TRANSITIONS[this.current].includes(next))
      throw new Error(`publisher: illegal transition ${this.current} -> ${next}`);
    this.current = next;
  }

  private get sending(): boolean {
    return this.freeSlots.length < this.opts.producers;
  }

  onModuleInit(): void {
    this.freeSlots = Array.from({ length: this.opts.producers }, (_, i) => i);
    this.health.register('kafka', () =>
      this.current === 'ready' && this.probeOk
        ? { ok: true, detail: this.kafka.topic }
        : {
            ok: false,
            detail: this.current === 'ready' ? 'broker probe failed' : `${this.current}: ${this.lastError}`,
          },
    );
    void this.connectLoop();
    this.probeTimer = setInterval(() => void this.probe(), 2000);
  }

  /** Resolves when the broker acknowledged all `messages`; rejects with a 503 GatewayError otherwise. */
  publish(messages: Message[]): Promise<void> {
    if (this.current !== 'ready') return Promise.reject(GatewayError.kafkaUnavailable(this.lastError));
    let bytes = 0;
    for (const m of messages) bytes += sizeOf(m);
    const refused = this.budget.admit(messages.length, bytes);
    if (refused) return Promise.reject(GatewayError.overloaded(refused));
    return new Promise<void>((resolve, reject) => {
      this.queue.push({
        messages,
        bytes,
        next: 0,
        unacked: messages.length,
        settled: false,
        resolve,
        reject,
      });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.freeSlots.length === 0) return; // a running flush picks the queue up when it ends
    this.flushSoon(this.queue.full ? 0 : this.opts.lingerMs);
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  private settle(job: PublishJob, err?: GatewayError): void {
    if (job.settled) return;
    job.settled = true;
    this.budget.release(job.messages.length, job.bytes);
    if (err) job.reject(err);
    else job.resolve();
  }

  private async flush(): Promise<void> {
    if (this.freeSlots.length === 0) return;
    if (this.current !== 'ready') {
      this.failQueued(GatewayError.kafkaUnavailable(this.lastError));
      return;
    }
    const { batch, parts } = this.queue.take();
    if (batch.length === 0) {
      if (!this.sending) this.idle?.();
      return;
    }
    const slot = this.freeSlots.pop() as number;
    const generation = this.generation;
    try {
      await this.withTimeout(this.kafka.send(slot, batch));
      this.metrics.kafkaSendSuccess.inc();
      this.metrics.kafkaBatchEvents.observe(batch.length);
      for (const [job, n] of parts) {
        job.unacked -= n;
        if (job.unacked === 0) this.settle(job);
      }
    } catch (err) {
      this.metrics.kafkaSendFailed.inc();
      const message = (err as Error).message;
      this.log.error(`Kafka batch of ${batch.length} events failed: ${message}`);
      const failure = GatewayError.kafkaUnavailable(message);
      for (const job of parts.keys()) this.settle(job, failure);
      this.failQueued(failure);
      if (generation === this.generation) this.markDown(message);
    } finally {
      if (generation === this.generation) this.freeSlots.push(slot);
    }
    // Whatever queued up meanwhile has already waited for a whole round trip: send it now.
    if (this.queue.length > 0) void this.flush();
    else if (!this.sending) this.idle?.();
  }

  private withTimeout(p: Promise<void>): Promise<void> {
    let t: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      t = setTimeout(
        () => reject(new Error(`no acknowledgement within ${this.opts.ackTimeoutMs} ms`)),
        this.opts.ackTimeoutMs,
      );
    });
    return Promise.race([p, timeout]).finally(() => clearTimeout(t));
  }

  private failQueued(err: GatewayError): void {
    for (const job of this.queue.drain()) this.settle(job, err);
  }

  private markDown(reason: string): void {
    if (this.current === 'closed') return;
    this.to('down');
    this.lastError = reason;
    this.generation++;
    this.freeSlots = Array.from({ length: this.opts.producers }, (_, i) => i);
    // The old producer may have written what it reported as failed; never reuse its sequence numbers.
    void this.kafka.reset().then(() => this.connectLoop());
  }

  private async connectLoop(): Promise<void> {
    if (this.connecting) return;
    this.connecting = true;
    try {
      while (this.current !== 'closed' && this.current !== 'ready') {
        try {
          await this.kafka.connect();
          // Closed while connecting (the narrowing of TypeScript does not see the await).
          if ((this.current as PublisherState) === 'closed') break;
          this.to('ready');
          this.probeOk = true;
          this.log.log(
            `producer connected to ${this.opts.kafkaBrokers.join(',')} (topic ${this.kafka.topic})`,
          );
        } catch (err) {
          this.lastError = (err as Error).message;
          if (this.current !== 'down') this.log.warn(`Kafka unreachable: ${this.lastError}`);
          if ((this.current as PublisherState) === 'closed') break;
          this.to('down');
          await this.kafka.reset();
          await sleep(this.opts.reconnectDelayMs ?? 1000);
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private async probe(): Promise<void> {
    if (this.current !== 'ready') return;
    try {
      await this.kafka.probe();
      this.probeOk = true;
    } catch (err) {
      this.probeOk = false;
      this.log.warn(`Kafka probe failed: ${(err as Error).message}`);
    }
  }

  /** After the HTTP server closed (no new requests): send what is queued, then disconnect. */
  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.probeTimer);
    if (this.queue.length > 0 || this.sending) {
      await Promise.race([
        new Promise<void>((r) => {
          this.idle = r;
          void this.flush();
        }),
        sleep(this.opts.ackTimeoutMs),
      ]);
    }
    if (this.current !== 'closed') this.to('closed');
    clearTimeout(this.timer);
    this.failQueued(GatewayError.kafkaUnavailable('shutting down'));
    await this.kafka.close();
  }
}
