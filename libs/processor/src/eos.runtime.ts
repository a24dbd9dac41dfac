import type { Admin, Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { describeConsumerFailure, type ConsumerFailure } from '@streammetrics/kafka';
import {
  CHANGELOG_TOPIC,
  DEAD_LETTER_TOPIC,
  EVENTS_TOPIC,
  systemClock,
  type Clock,
} from '@streammetrics/contracts';
import { SchemaRegistryUnavailableError, type EventDecoder } from '@streammetrics/registry';
import { restoreChangelog } from './changelog.restorer';
import { PartitionTask } from './partition.task';
import type { ProcessorMetrics } from './processor.metrics';
import type { ProcessorOptions, ProcessorTopics } from './processor.options';

export interface RuntimeLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const RESTORE_TIMEOUT_MS = 120_000;
const RECOVERY_BACKOFF_MS = [100, 250, 500, 1000, 2000, 5000];

/**
 * The exactly-once consume–transform–produce loop on kafkajs.
 *
 * kafkajs has no KIP-447 (no consumer-group-aware transactional producer), no revoke callback and
 * no manual assignment, so the design is the pre-KIP-447 one Kafka Streams used:
 * - one transactional producer per input partition, transactionalId = <group>-<topic>-<partition>,
 *   so a new owner of a partition fences the previous one (zombie fencing) on initialisation;
 * - ownership changes are learned from GROUP_JOIN events; a partition is initialised (producer,
 *   barrier, changelog restore, committed offset, seek) before any of its records are processed;
 * - every commit interval, each partition commits one transaction carrying its outputs, dead
 *   letters, changelog records and its input offset (sendOffsets), so state, outputs and progress
 *   move together; autoCommit is off and the group's offsets only ever move inside transactions;
 * - when a transaction fails, the partition is rebuilt from the changelog and the consumer is
 *   rewound to the committed offset, the only state Kafka vouches for.
 */
export class EosRuntime {
  readonly topics: ProcessorTopics;
  private readonly tasks = new Map<number, PartitionTask>();
  private readonly ready = new Map<number, Promise<void>>();
  private consumer: Consumer | undefined;
  private admin: Admin | undefined;
  private timer: NodeJS.Timeout | undefined;
  private assigned = new Set<number>();
  private running = false;
  private lastError: string | undefined;
  private failed: ConsumerFailure | undefined;
  /** Set while a batch waits for the schema registry; readiness is false meanwhile. */
  private registryDown: string | undefined;

  constructor(
    private readonly kafka: Kafka,
    private readonly opts: ProcessorOptions,
    private readonly metrics: ProcessorMetrics,
    private readonly log: RuntimeLogger,
    private readonly decoder: EventDecoder,
    private readonly clock: Clock = systemClock,
  ) {
    const p = opts.topicPrefix;
    this.topics = {
      prefix: p,
      input: `${p}${EVENTS_TOPIC}`,
      changelog: `${p}${CHANGELOG_TOPIC}`,
      deadLetter: `${p}${DEAD_LETTER_TOPIC}`,
    };
  }

  /** Ready when connected and every assigned partition has its state restored. */
  health(): { ok: boolean; detail: string } {
    if (this.failed) return { ok: false, detail: `consumer stopped: ${this.failed.message}` };
    if (!this.running) return { ok: false, detail: 'not running' };
    if (this.registryDown)
      return { ok: false, detail: `waiting for the schema registry: ${this.registryDown}` };
    const pending = [...this.assigned].filter((p) => this.tasks.get(p)?.state !== 'ready');
    if (pending.length > 0) return { ok: false, detail: `restoring partitions ${pending.join(',')}` };
    return {
      ok: true,
      detail: `partitions ${[...this.assigned].sort().join(',') || 'none'}${this.lastError ? `; last error: ${this.lastError}` : ''}`,
    };
  }

  async start(): Promise<void> {
    this.admin = this.kafka.admin();
    await this.admin.connect();
    const consumer = this.kafka.consumer({
      groupId: this.opts.groupId,
      readUncommitted: false,
      sessionTimeout: this.opts.sessionTimeoutMs,
      heartbeatInterval: Math.max(500, Math.floor(this.opts.sessionTimeoutMs / 10)),
      allowAutoTopicCreation: false,
      maxWaitTimeInMs: Math.max(10, Math.min(100, this.opts.commitIntervalMs)),
      maxBytesPerPartition: 4 * 1024 * 1024,
    });
    this.consumer = consumer;
    consumer.on(consumer.events.GROUP_JOIN, (e) => {
      const partitions = e.payload.memberAssignment[this.topics.input] ?? [];
      this.onAssignment(new Set(partitions));
    });
    consumer.on(consumer.events.CRASH, (e) => {
      if (e.payload.restart) {
        this.log.warn({ err: e.payload.error }, 'consumer crashed; kafkajs restarts it');
        return;
      }
      this.fail(describeConsumerFailure(e.payload.error));
    });
    await consumer.connect();
    await consumer.subscribe({ topic: this.topics.input, fromBeginning: true });
    this.running = true;
    await consumer.run({
      autoCommit: false,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: 64,
      eachBatch: (payload) => this.onBatch(payload),
    });
    this.timer = setInterval(() => this.onTick(), Math.max(10, Math.floor(this.opts.commitIntervalMs / 2)));
  }

  /** The consumer will not come back: readiness false, counted, and the app told to exit. */
  private fail(f: ConsumerFailure): void {
    this.failed = f;
    this.metrics.consumerFailures.inc({
      reason: f.reason,
      topic: f.topic ?? '',
      partition: f.partition === undefined ? '' : String(f.partition),
    });
    this.log.error(
      { reason: f.reason, topic: f.topic, partition: f.partition, offset: f.offset, err: f.message },
      'input consumer stopped for good; exiting so the supervisor restarts the processor',
    );
    this.opts.onFatal?.(f);
  }

  /** Drops partitions we lost, initialises the ones we gained (all gained ones in one restore). */
  private onAssignment(partitions: Set<number>): void {
    this.assigned = partitions;
    this.log.info({ partitions: [...partitions] }, 'partitions assigned');
    for (const [p, task] of this.tasks) {
      if (!partitions.has(p)) {
        this.tasks.delete(p);
        this.ready.delete(p);
        // Queued behind any running commit: uncommitted work of a lost partition is simply dropped,
        // the new owner reprocesses it from the committed offset.
        void task.queue.run(() => task.close());
      }
    }
    const gained = [...partitions].filter((p) => !this.tasks.has(p));
    if (gained.length === 0) return;
    const tasks = gained.map((p) => {
      const t = new PartitionTask(p, this.kafka, this.opts, this.topics, this.metrics, this.decoder);
      this.tasks.set(p, t);
      return t;
    });
    const init = this.initialise(tasks);
    for (const t of tasks) {
      this.ready.set(
        t.partition,
        t.queue.run(() => init),
      );
    }
  }

  /** Fence, barrier, restore, committed offset, seek — with retries until it works or we lose the partition. */
  private async initialise(tasks: PartitionTask[]): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const live = tasks.filter((t) => this.tasks.get(t.partition) === t && t.state !== 'closed');
      if (live.length === 0 || !this.running) return;
      try {
        const started = performance.now();
        const barriers = await Promise.all(
          live.map(async (t) => ({ partition: t.partition, barrier: await t.openProducer() })),
        );
        const restored = await restoreChangelog(
          this.kafka,
          this.topics.changelog,
          barriers,
          RESTORE_TIMEOUT_MS,
        );
        const offsets = await this.committedOffsets(live.map((t) => t.partition));
        for (const t of live) {
          const offset = offsets.get(t.partition) ?? '0';
          t.install(restored.get(t.partition) ?? [], offset, this.clock.now());
          this.consumer?.seek({ topic: this.topics.input, partition: t.partition, offset });
        }
        const seconds = (performance.now() - started) / 1000;
        this.metrics.restoreSeconds.observe(seconds);
        for (const t of live)
          this.metrics.lastRestoreSeconds.set({ partition: String(t.partition) }, seconds);
        this.log.info(
          {
            partitions: live.map((t) => t.partition),
            seconds,
            entries: [...restored.values()].reduce((n, e) => n + e.length, 0),
          },
          'partition state restored',
        );
        return;
      } catch (err) {
        this.lastError = (err as Error).message;
        this.log.warn({ err, attempt }, 'partition initialisation failed; retrying');
        await sleep(RECOVERY_BACKOFF_MS[Math.min(attempt, RECOVERY_BACKOFF_MS.length - 1)] ?? 5000);
      }
    }
  }

  /** The group's committed offsets; a partition never committed starts at its earliest offset. */
  private async committedOffsets(partitions: number[]): Promise<Map<number, string>> {
    const admin = this.admin;
    if (!admin) throw new Error('admin not connected');
    const [committed] = await admin.fetchOffsets({ groupId: this.opts.groupId, topics: [this.topics.input] });
    const low = await admin.fetchTopicOffsets(this.topics.input);
    const out = new Map<number, string>();
    for (const p of partitions) {
      const c = committed?.partitions.find((x) => x.partition === p)?.offset;
      const earliest = low.find((x) => x.partition === p)?.low ?? '0';
      out.set(p, c !== undefined && c !== '-1' ? c : earliest);
    }
    return out;
  }

  private async onBatch({
    batch,
    isStale,
    isRunning,
    heartbeat,
    resolveOffset,
  }: EachBatchPayload): Promise<void> {
    const p = batch.partition;
    const task = this.tasks.get(p);
    const ready = this.ready.get(p);
    if (!task || !ready) return; // not (yet) ours: the GROUP_JOIN handler has not seen it
    // Keep the group membership alive while the partition restores.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), 1000);
    try {
      await ready;
    } finally {
      clearInterval(beat);
    }
    if (!isRunning() || isStale()) return;
    if (!(await this.prepareSchemas(batch.messages, { isRunning, isStale, heartbeat }))) return;
    const lag = Number(batch.offsetLag());
    if (Number.isFinite(lag)) this.metrics.consumerLag.set({ partition: String(p) }, lag);
    await task.queue.run(async () => {
      if (task.state !== 'ready' || isStale()) return;
      const now = this.clock.now();
      task.ingest(batch.messages, now);
      // Advances kafkajs' fetch position only; with autoCommit off nothing is committed here.
      resolveOffset(batch.lastOffset());
      if (now - task.lastCommitAt >= this.opts.commitIntervalMs) await this.commitOrRecover(task, now);
    });
    await heartbeat().catch(() => undefined);
  }

  /**
   * Fetches the writer schemas a batch names, waiting out a registry outage: its records are fine,
   * so they are neither dead-lettered nor skipped; the batch is held (heartbeating, so the group
   * keeps us) until the registry answers. False when the batch should be dropped unprocessed
   * (stopping, or the partition moved away); it is then fetched again from the committed offset.
   */
  private async prepareSchemas(
    messages: { value: Buffer | null }[],
    b: Pick<EachBatchPayload, 'isRunning' | 'isStale' | 'heartbeat'>,
  ): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await this.decoder.prepare(messages.map((m) => m.value));
        if (this.registryDown) this.log.info({}, 'schema registry reachable again');
        this.registryDown = undefined;
        return true;
      } catch (err) {
        if (!(err instanceof SchemaRegistryUnavailableError)) throw err;
        this.metrics.registryUnavailable.inc();
        if (this.registryDown === undefined) {
          this.log.warn({ err: err.message }, 'schema registry unavailable; holding batches and retrying');
        }
        this.registryDown = err.message;
      }
      await b.heartbeat().catch(() => undefined);
      await sleep(RECOVERY_BACKOFF_MS[Math.min(attempt, RECOVERY_BACKOFF_MS.length - 1)] ?? 5000);
      if (!b.isRunning() || b.isStale()) return false;
    }
  }

  /** The commit timer: idle partitions still close windows and flush throttled updates. */
  private onTick(): void {
    const now = this.clock.now();
    for (const task of this.tasks.values()) {
      if (task.state !== 'ready' || now - task.lastCommitAt < this.opts.commitIntervalMs) continue;
      void task.queue.run(async () => {
        const t = this.clock.now();
        if (task.state === 'ready' && t - task.lastCommitAt >= this.opts.commitIntervalMs) {
          await this.commitOrRecover(task, t);
        }
      });
    }
  }

  private async commitOrRecover(task: PartitionTask, now: number): Promise<void> {
    try {
      await task.commit(now);
      this.lastError = undefined;
    } catch (err) {
      const e = err as Error & { type?: string };
      this.lastError = e.message;
      this.metrics.recoveries.inc({ reason: e.type ?? e.name });
      this.log.warn(
        { err, partition: task.partition },
        'transaction failed; rebuilding the partition from the changelog',
      );
      task.rebuilding();
      // Runs inside the task's queue slot, so no batch or tick touches the task meanwhile.
      await this.initialise([task]);
    }
  }

  /**
   * Graceful shutdown: stop fetching, commit what each partition has processed (a last
   * transaction), then leave the group so the partitions move on at once.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    clearInterval(this.timer);
    await this.consumer?.stop().catch(() => undefined);
    await Promise.all(
      [...this.tasks.values()].map((task) =>
        task.queue.run(async () => {
          if (task.state === 'ready') {
            await task
              .commit(this.clock.now())
              .catch((err: Error) => this.log.warn({ err }, 'final commit failed'));
          }
          await task.close();
        }),
      ),
    );
    this.tasks.clear();
    await this.consumer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
