// Test support for the processor's unit specs (not exported from the lib): an in-memory model of
// what the exactly-once runtime relies on from Kafka — transactions that commit all or nothing,
// zombie fencing by transactional id, committed group offsets, a changelog read up to a barrier —
// and an input consumer the test feeds by hand.
import type { Message, ProducerBatch } from 'kafkajs';
import { Registry } from 'prom-client';
import { ManualClock } from '@streammetrics/contracts';
import { EventDecoder, type SchemaSource } from '@streammetrics/registry';
import type { ChangelogEntry } from '@streammetrics/windowing';
import { BARRIER_KEY, type RestoreTarget } from './changelog.restorer';
import type {
  BatchControl,
  InputConsumer,
  InputHandlers,
  InputRecord,
  RuntimeLogger,
  TransactionalProducer,
  TransactionPort,
} from './eos.ports';
import { EosRuntime, processorTopics } from './eos.runtime';
import { ProcessorMetrics } from './processor.metrics';
import type { ProcessorOptions } from './processor.options';

export const T0 = Date.UTC(2024, 1, 7, 1, 0, 0);

export const OPTIONS: ProcessorOptions = {
  brokers: ['unused:9092'],
  groupId: 'g',
  topicPrefix: 't-',
  commitIntervalMs: 100,
  sessionTimeoutMs: 10_000,
  transactionTimeoutMs: 5_000,
  windowing: { graceMs: 5_000, emitIntervalMs: 100, idleTimeoutMs: 0 },
  schemaRegistryUrl: 'http://unused',
  compression: 0,
};

export interface CommittedMessage extends Message {
  topic: string;
}

/** Broker-side state: only what committed transactions wrote is visible. */
export class InMemoryKafka {
  readonly committed: CommittedMessage[] = [];
  readonly groupOffsets = new Map<number, string>();
  readonly opened: string[] = [];
  readonly disconnected: string[] = [];
  private readonly epochs = new Map<string, number>();
  /** Transactions whose commit() should fail, counted down. */
  failCommits = 0;
  /** While set, commit() waits for it: a transaction the broker is slow to end. */
  private gate: Promise<void> | undefined;
  /** connect() calls that should fail, counted down. */
  failConnects = 0;
  commits = 0;
  aborts = 0;
  sendBatches = 0;

  /** Holds every commit() until the returned release is called. */
  holdCommits(): () => void {
    let release = () => {};
    this.gate = new Promise((r) => (release = r));
    return () => {
      this.gate = undefined;
      release();
    };
  }

  producer(id: string): TransactionalProducer {
    let epoch = -1;
    return {
      connect: () => {
        if (this.failConnects > 0) {
          this.failConnects--;
          return Promise.reject(new Error('broker not reachable'));
        }
        epoch = (this.epochs.get(id) ?? 0) + 1;
        this.epochs.set(id, epoch);
        this.opened.push(id);
        return Promise.resolve();
      },
      transaction: () => Promise.resolve(this.transaction(() => this.epochs.get(id) === epoch)),
      disconnect: () => {
        this.disconnected.push(id);
        return Promise.resolve();
      },
    };
  }

  private transaction(current: () => boolean): TransactionPort {
    const pending: CommittedMessage[] = [];
    const offsets: [number, string][] = [];
    let open = true;
    const fenced = () => Object.assign(new Error('producer fenced'), { type: 'INVALID_PRODUCER_EPOCH' });
    return {
      sendBatch: (b: ProducerBatch) => {
        if (!open) throw new Error('transaction is over');
        if (!current()) return Promise.reject(fenced());
        this.sendBatches++;
        for (const tm of b.topicMessages ?? [])
          for (const m of tm.messages) pending.push({ ...m, topic: tm.topic });
        return Promise.resolve([]);
      },
      sendOffsets: (o) => {
        for (const t of o.topics) for (const p of t.partitions) offsets.push([p.partition, p.offset]);
        return Promise.resolve();
      },
      commit: async () => {
        open = false;
        await this.gate;
        if (!current()) throw fenced();
        if (this.failCommits > 0) {
          this.failCommits--;
          throw Object.assign(new Error('commit failed'), { type: 'COORDINATOR_NOT_AVAILABLE' });
        }
        this.committed.push(...pending);
        for (const [p, o] of offsets) this.groupOffsets.set(p, o);
        this.commits++;
      },
      abort: () => {
        open = false;
        this.aborts++;
        return Promise.resolve();
      },
    };
  }

  on(topic: string): CommittedMessage[] {
    return this.committed.filter((m) => m.topic === topic);
  }

  /** The latest committed changelog value per key up to the barrier, as restoreChangelog returns it. */
  restore(changelog: string, targets: RestoreTarget[]): Promise<Map<number, ChangelogEntry[]>> {
    const out = new Map<number, ChangelogEntry[]>();
    for (const t of targets) {
      const latest = new Map<string, Uint8Array | null>();
      let barrier = false;
      for (const m of this.on(changelog)) {
        if (m.partition !== t.partition) continue;
        if (m.key === BARRIER_KEY) {
          barrier ||= m.value === t.barrier;
          continue;
        }
        latest.set(String(m.key), m.value === null ? null : (m.value as Buffer));
      }
      if (!barrier) return Promise.reject(new Error(`barrier of partition ${t.partition} was not committed`));
      out.set(
        t.partition,
        [...latest]
          .filter((e): e is [string, Uint8Array] => e[1] !== null)
          .map(([key, value]) => ({ key, value })),
      );
    }
    return Promise.resolve(out);
  }
}

/** An input consumer fed by the test: records per partition, fetched from the last seek. */
export class ManualInput implements InputConsumer {
  handlers: InputHandlers | undefined;
  readonly log = new Map<number, InputRecord[]>();
  readonly positions = new Map<number, string>();
  readonly seeks: [number, string][] = [];
  running = true;
  stale = false;
  stopped = false;
  disconnected = false;

  constructor(private readonly kafka: InMemoryKafka) {}

  run(h: InputHandlers): Promise<void> {
    this.handlers = h;
    return Promise.resolve();
  }

  seek(partition: number, offset: string): void {
    this.seeks.push([partition, offset]);
    this.positions.set(partition, offset);
  }

  committedOffsets(partitions: number[]): Promise<Map<number, string>> {
    return Promise.resolve(new Map(partitions.map((p) => [p, this.kafka.groupOffsets.get(p) ?? '0'])));
  }

  stop(): Promise<void> {
    this.stopped = true;
    return Promise.resolve();
  }

  disconnect(): Promise<void> {
    this.disconnected = true;
    return Promise.resolve();
  }

  append(partition: number, ...values: (Buffer | null)[]): void {
    const log = this.log.get(partition) ?? [];
    for (const value of values) log.push({ offset: String(log.length), key: null, value });
    this.log.set(partition, log);
  }

  /** Delivers every record from the fetch position on as one batch, as a fetch would. */
  async fetch(partition: number): Promise<void> {
    const from = Number(this.positions.get(partition) ?? '0');
    const messages = (this.log.get(partition) ?? []).slice(from);
    if (messages.length === 0) return;
    await this.deliver(partition, messages);
  }

  async deliver(partition: number, messages: InputRecord[]): Promise<void> {
    const h = this.handlers;
    if (!h) throw new Error('not running');
    const control: BatchControl = {
      isRunning: () => this.running,
      isStale: () => this.stale,
      heartbeat: () => Promise.resolve(),
      resolveOffset: (o) => this.positions.set(partition, String(Number(o) + 1)),
    };
    const last = messages[messages.length - 1]?.offset ?? '0';
    await h.batch({ partition, messages, lastOffset: () => last, offsetLag: () => '0' }, control);
  }
}

export function event(timestamp: number, value: number, metricName = 'api.request.duration'): Buffer {
  return Buffer.from(
    JSON.stringify({
      eventId: `e-${timestamp}-${value}`,
      timestamp,
      serviceId: 'svc',
      metricName,
      value,
      tags: {},
    }),
  );
}

export const noSchemas: SchemaSource = { lookUp: () => Promise.resolve(undefined) };

export class MemoryLog implements RuntimeLogger {
  readonly lines: string[] = [];
  info(_o: object, msg: string): void {
    this.lines.push(`info ${msg}`);
  }
  warn(_o: object, msg: string): void {
    this.lines.push(`warn ${msg}`);
  }
  error(_o: object, msg: string): void {
    this.lines.push(`error ${msg}`);
  }
}

/** A runtime on the in-memory ports, with its clock, timer tick and retry sleeps in the test's hands. */
export function harness(opts: Partial<ProcessorOptions> = {}, schemas: SchemaSource = noSchemas) {
  const kafka = new InMemoryKafka();
  const input = new ManualInput(kafka);
  const clock = new ManualClock(T0);
  const registry = new Registry();
  const metrics = new ProcessorMetrics(registry);
  const log = new MemoryLog();
  const sleeps: number[] = [];
  let tick: (() => void) | undefined;
  const options = { ...OPTIONS, ...opts };
  const changelog = processorTopics(options.topicPrefix).changelog;
  const runtime = new EosRuntime(options, {
    input,
    producers: (id) => kafka.producer(id),
    restorer: (targets) => kafka.restore(changelog, targets),
    decoder: new EventDecoder(schemas, () => clock.now()),
    clock,
    metrics,
    log,
    sleep: (ms) => {
      sleeps.push(ms);
      return new Promise((r) => setImmediate(r));
    },
    every: (_ms, t) => {
      tick = t;
      return () => (tick = undefined);
    },
  });
  const counter = async (name: string) =>
    (await registry.getSingleMetric(name)?.get())?.values.reduce((n, v) => n + v.value, 0) ?? 0;
  return {
    kafka,
    input,
    clock,
    metrics,
    counter,
    log,
    sleeps,
    runtime,
    options,
    tick: () => tick?.(),
  };
}

/** Lets the runtime's pending promise chains run until `done` holds. */
export async function until(done: () => boolean, what = 'condition'): Promise<void> {
  for (let i = 0; i < 10_000; i++) {
    if (done()) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`gave up waiting for ${what}`);
}
