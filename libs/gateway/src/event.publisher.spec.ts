import { setTimeout as sleep } from 'node:timers/promises';
import type { Message } from 'kafkajs';
import { Registry } from 'prom-client';
import { HealthService } from '@streammetrics/observability';
import { EventPublisher } from './event.publisher';
import type { EventsProducer } from './events.producer.port';
import { GatewayError } from './gateway.errors';
import { GatewayMetrics } from './gateway.metrics';
import type { GatewayOptions } from './gateway.options';

interface Pending {
  slot: number;
  messages: Message[];
  ack: () => void;
  fail: (err: Error) => void;
}

/** The publisher's port, driven by the test: every send waits until the test acks or fails it. */
class FakeProducer implements EventsProducer {
  readonly topic = 'metrics-events';
  sends: Pending[] = [];
  connects = 0;
  resets = 0;
  closed = false;
  refuseConnect = false;

  connect(): Promise<void> {
    this.connects++;
    return this.refuseConnect ? Promise.reject(new Error('broker down')) : Promise.resolve();
  }
  send(slot: number, messages: Message[]): Promise<void> {
    return new Promise((ack, fail) => this.sends.push({ slot, messages, ack: () => ack(), fail }));
  }
  reset(): Promise<void> {
    this.resets++;
    return Promise.resolve();
  }
  probe(): Promise<void> {
    return Promise.resolve();
  }
  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }
}

const opts = (o: Partial<GatewayOptions> = {}): GatewayOptions =>
  ({
    kafkaBrokers: ['b:9092'],
    lingerMs: 0,
    maxBatchEvents: 100,
    maxBatchBytes: 1 << 20,
    maxInFlightEvents: 1000,
    maxInFlightBytes: 1 << 24,
    ackTimeoutMs: 5000,
    producers: 1,
    reconnectDelayMs: 1,
    ...o,
  }) as GatewayOptions;

const msgs = (n: number, tag = 'm'): Message[] =>
  Array.from({ length: n }, (_, i) => ({ key: 'svc', value: `${tag}${i}` }));
const tick = () => sleep(5);
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 400 && !cond(); i++) await tick();
  if (!cond()) throw new Error('condition never held');
}

describe('EventPublisher through its producer port', () => {
  let producer: FakeProducer;
  let health: HealthService;
  let publisher: EventPublisher;

  const start = async (o: Partial<GatewayOptions> = {}) => {
    producer = new FakeProducer();
    health = new HealthService();
    publisher = new EventPublisher(producer, new GatewayMetrics(new Registry()), health, opts(o));
    publisher.onModuleInit();
    await until(() => publisher.state !== 'connecting');
  };

  afterEach(async () => {
    for (const s of producer.sends) s.ack();
    await publisher.onApplicationShutdown();
  });

  it('answers a request only when the batch carrying its records is acknowledged', async () => {
    await start();
    expect(publisher.state).toBe('ready');
    let done = false;
    const p = publisher.publish(msgs(3)).then(() => (done = true));
    await until(() => producer.sends.length === 1);
    await tick();
    expect(done).toBe(false);
    producer.sends[0]!.ack();
    await p;
    expect(done).toBe(true);
  });

  it('puts the requests that arrive while a batch is in flight into the next batch, one per producer', async () => {
    await start();
    const first = publisher.publish(msgs(1, 'a'));
    await until(() => producer.sends.length === 1);
    const later = [publisher.publish(msgs(2, 'b')), publisher.publish(msgs(3, 'c'))];
    await tick();
    expect(producer.sends).toHaveLength(1); // one producer: one batch in flight
    producer.sends[0]!.ack();
    await first;
    await until(() => producer.sends.length === 2);
    expect(producer.sends[1]!.messages.map((m) => m.value)).toEqual(['b0', 'b1', 'c0', 'c1', 'c2']);
    producer.sends[1]!.ack();
    await Promise.all(later);
  });

  it('splits a request over batches and answers it after the last one', async () => {
    await start({ maxBatchEvents: 2 });
    let done = false;
    const p = publisher.publish(msgs(3)).then(() => (done = true));
    await until(() => producer.sends.length === 1);
    producer.sends[0]!.ack();
    await until(() => producer.sends.length === 2);
    expect(done).toBe(false);
    producer.sends[1]!.ack();
    await p;
    expect(producer.sends.map((s) => s.messages.length)).toEqual([2, 1]);
  });

  it('fails every request of a failed batch with 503, goes down, resets and reconnects fresh producers', async () => {
    await start();
    const p = publisher.publish(msgs(2));
    await until(() => producer.sends.length === 1);
    producer.sends[0]!.fail(new Error('NOT_ENOUGH_REPLICAS'));
    const err = (await p.catch((e: unknown) => e)) as GatewayError;
    expect(err).toBeInstanceOf(GatewayError);
    expect(err.status).toBe(503);
    await until(() => producer.connects === 2 && publisher.state === 'ready');
    expect(producer.resets).toBeGreaterThanOrEqual(1);
    const again = publisher.publish(msgs(1));
    await until(() => producer.sends.length === 2);
    producer.sends[1]!.ack();
    await again;
  });

  it('refuses with 503 while Kafka is unreachable and readiness says why', async () => {
    producer = new FakeProducer();
    producer.refuseConnect = true;
    health = new HealthService();
    publisher = new EventPublisher(producer, new GatewayMetrics(new Registry()), health, opts());
    publisher.onModuleInit();
    await until(() => publisher.state === 'down');
    const err = (await publisher.publish(msgs(1)).catch((e: unknown) => e)) as GatewayError;
    expect(err.status).toBe(503);
    const ready = await health.readiness();
    expect(ready.checks.kafka).toEqual({ ok: false, detail: 'down: broker down' });
    producer.refuseConnect = false;
    await until(() => publisher.state === 'ready');
    expect((await health.readiness()).checks.kafka?.ok).toBe(true);
  });

  it('refuses beyond the in-flight limit, but always takes one request when empty', async () => {
    await start({ maxInFlightEvents: 5 });
    const big = publisher.publish(msgs(8)); // over the limit, but the gateway is empty
    const err = (await publisher.publish(msgs(1)).catch((e: unknown) => e)) as GatewayError;
    expect(err.code).toBe('OVERLOADED');
    await until(() => producer.sends.length === 1);
    producer.sends[0]!.ack();
    await big;
    const after = publisher.publish(msgs(5));
    await until(() => producer.sends.length === 2);
    producer.sends[1]!.ack();
    await after;
  });

  it('on shutdown sends what is queued and in flight before closing the producer', async () => {
    await start();
    const inFlight = publisher.publish(msgs(1, 'a'));
    await until(() => producer.sends.length === 1);
    const queued = publisher.publish(msgs(1, 'b'));
    const shutdown = publisher.onApplicationShutdown();
    producer.sends[0]!.ack();
    await until(() => producer.sends.length === 2);
    expect(producer.closed).toBe(false);
    producer.sends[1]!.ack();
    await Promise.all([inFlight, queued, shutdown]);
    expect(producer.closed).toBe(true);
    expect(publisher.state).toBe('closed');
    const err = (await publisher.publish(msgs(1)).catch((e: unknown) => e)) as GatewayError;
    expect(err.status).toBe(503);
  });
});
