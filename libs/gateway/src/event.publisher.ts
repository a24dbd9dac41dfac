import { Inject, Injectable, Logger, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Message } from 'kafkajs';
import { HealthService } from '@streammetrics/observability';
import { GatewayError } from './gateway.errors';
import { GatewayMetrics } from './gateway.metrics';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options';
import { KafkaEventsRepository } from './kafka-events.repository';

/** One request's records on their way to Kafka. */
interface Job {
  messages: Message[];
  bytes: number;
  /** Next record to put into a batch. */
  next: number;
  /** Records not yet acknowledged. */
  unacked: number;
  settled: boolean;
  resolve: () => void;
  reject: (err: GatewayError) => void;
}

type State = 'connecting' | 'ready' | 'down' | 'closed';

const byteLength = (v: Message['value'] | Message['key']) =>
  v === null || v === undefined ? 0 : typeof v === 'string' ? Buffer.byteLength(v) : v.length;
const sizeOf = (m: Message) => byteLength(m.value) + byteLength(m.key) + 64;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Micro-batches the records of concurrent requests into one sendBatch (kafkajs does not batch
 * across send() calls), at most one batch in flight per producer; records arriving meanwhile form
 * the next, larger batch. A request is answered
 * only when every one of its records was acknowledged with acks=all; if any batch carrying its
 * records fails, the whole request fails (503), never a part of it.
 */
@Injectable()
export class EventPublisher implements OnModuleInit, OnApplicationShutdown {
  private readonly log = new Logger(EventPublisher.name);
  private state: State = 'connecting';
  private lastError = 'not connected yet';
  private probeOk = true;
  private queue: Job[] = [];
  /** Free producer slots; a flush holds one while its batch is in flight. */
  private freeSlots: number[] = [];
  /** Bumped on every reset: a failure of a flush from an older generation must not reset the new producers. */
  private generation = 0;
  private timer?: NodeJS.Timeout;
  private probeTimer?: NodeJS.Timeout;
  private inFlightEvents = 0;
  private inFlightBytes = 0;
  private queuedEvents = 0;
  private queuedBytes = 0;
  private idle?: () => void;

  constructor(
    private readonly kafka: KafkaEventsRepository,
    private readonly metrics: GatewayMetrics,
    private readonly health: HealthService,
    @Inject(GATEWAY_OPTIONS) private readonly opts: GatewayOptions,
  ) {}

  private get sending(): boolean {
    return this.freeSlots.length < this.opts.producers;
  }

  onModuleInit(): void {
    this.freeSlots = Array.from({ length: this.opts.producers }, (_, i) => i);
    this.health.register('kafka', () =>
      this.state === 'ready' && this.probeOk
        ? { ok: true, detail: this.kafka.topic }
        : {
            ok: false,
            detail: this.state === 'ready' ? 'broker probe failed' : `${this.state}: ${this.lastError}`,
          },
    );
    void this.connectLoop();
    this.probeTimer = setInterval(() => void this.probe(), 2000);
  }

  /** Resolves when the broker acknowledged all `messages`; rejects with a 503 GatewayError otherwise. */
  publish(messages: Message[]): Promise<void> {
    if (this.state !== 'ready') return Promise.reject(GatewayError.kafkaUnavailable(this.lastError));
    let bytes = 0;
    for (const m of messages) bytes += sizeOf(m);
    // An empty gateway always takes one request, so a single large one cannot be refused forever.
    if (
      this.inFlightEvents > 0 &&
      (this.inFlightEvents + messages.length > this.opts.maxInFlightEvents ||
        this.inFlightBytes + bytes > this.opts.maxInFlightBytes)
    ) {
      return Promise.reject(
        GatewayError.overloaded(`${this.inFlightEvents} events / ${this.inFlightBytes} bytes awaiting Kafka`),
      );
    }
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
      this.inFlightEvents += messages.length;
      this.inFlightBytes += bytes;
      this.queuedEvents += messages.length;
      this.queuedBytes += bytes;
      this.metrics.inFlightEvents.set(this.inFlightEvents);
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.freeSlots.length === 0) return; // a running flush picks the queue up when it ends
    if (this.queuedEvents >= this.opts.maxBatchEvents || this.queuedBytes >= this.opts.maxBatchBytes) {
      this.flushSoon(0);
    } else {
      this.flushSoon(this.opts.lingerMs);
    }
  }

  private flushSoon(ms: number): void {
    if (this.timer && ms > 0) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, ms);
  }

  private settle(job: Job, err?: GatewayError): void {
    if (job.settled) return;
    job.settled = true;
    this.inFlightEvents -= job.messages.length;
    this.inFlightBytes -= job.bytes;
    this.metrics.inFlightEvents.set(this.inFlightEvents);
    if (err) job.reject(err);
    else job.resolve();
  }

  /** Takes whole or partial jobs from the head of the queue up to the batch limits. */
  private take(): { batch: Message[]; parts: Map<Job, number> } {
    const batch: Message[] = [];
    const parts = new Map<Job, number>();
    let bytes = 0;
    while (this.queue.length > 0 && batch.length < this.opts.maxBatchEvents) {
      const job = this.queue[0]!;
      if (job.settled) {
        this.dequeueRest(job);
        continue;
      }
      while (job.next < job.messages.length && batch.length < this.opts.maxBatchEvents) {
        const m = job.messages[job.next]!;
        const size = sizeOf(m);
        if (batch.length > 0 && bytes + size > this.opts.maxBatchBytes) return { batch, parts };
        batch.push(m);
        bytes += size;
        job.next++;
        this.queuedEvents--;
        this.queuedBytes -= size;
        parts.set(job, (parts.get(job) ?? 0) + 1);
      }
      if (job.next === job.messages.length) this.queue.shift();
    }
    return { batch, parts };
  }

  private dequeueRest(job: Job): void {
    for (; job.next < job.messages.length; job.next++) {
      this.queuedEvents--;
      this.queuedBytes -= sizeOf(job.messages[job.next]!);
    }
    this.queue.shift();
  }

  private async flush(): Promise<void> {
    if (this.freeSlots.length === 0) return;
    if (this.state !== 'ready') {
      this.failQueued(GatewayError.kafkaUnavailable(this.lastError));
      return;
    }
    const { batch, parts } = this.take();
    if (batch.length === 0) {
      if (!this.sending) this.idle?.();
      return;
    }
    const slot = this.freeSlots.pop()!;
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
    const jobs = this.queue;
    this.queue = [];
    this.queuedEvents = 0;
    this.queuedBytes = 0;
    for (const job of jobs) this.settle(job, err);
  }

  private markDown(reason: string): void {
    if (this.state === 'closed') return;
    this.state = 'down';
    this.lastError = reason;
    this.generation++;
    this.freeSlots = Array.from({ length: this.opts.producers }, (_, i) => i);
    // The old producer may have written what it reported as failed; never reuse its sequence numbers.
    void this.kafka.reset().then(() => this.connectLoop());
  }

  private connecting = false;

  private async connectLoop(): Promise<void> {
    if (this.connecting) return;
    this.connecting = true;
    try {
      while (this.state !== 'closed' && this.state !== 'ready') {
        try {
          await this.kafka.connect();
          if ((this.state as State) === 'closed') break; // closed while connecting
          this.state = 'ready';
          this.probeOk = true;
          this.log.log(
            `producer connected to ${this.opts.kafkaBrokers.join(',')} (topic ${this.kafka.topic})`,
          );
        } catch (err) {
          this.lastError = (err as Error).message;
          if (this.state !== 'down') this.log.warn(`Kafka unreachable: ${this.lastError}`);
          this.state = 'down';
          await this.kafka.reset();
          await sleep(1000);
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private async probe(): Promise<void> {
    if (this.state !== 'ready') return;
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
    this.state = 'closed';
    clearTimeout(this.timer);
    this.failQueued(GatewayError.kafkaUnavailable('shutting down'));
    await this.kafka.close();
  }
}
