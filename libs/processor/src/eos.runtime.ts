import { setTimeout as sleep } from 'node:timers/promises';
import { describeConsumerFailure, type ConsumerFailure } from '@streammetrics/kafka';
import { CHANGELOG_TOPIC, DEAD_LETTER_TOPIC, EVENTS_TOPIC, type Clock } from '@streammetrics/contracts';
import { SchemaRegistryUnavailableError } from '@streammetrics/registry';
import type {
  BatchControl,
  BatchDecoder,
  ChangelogRestorer,
  InputBatch,
  InputConsumer,
  InputRecord,
  ProducerFactory,
  RuntimeLogger,
} from './eos.ports';
import { PartitionTask, type TaskContext } from './partition.task';
import type { ProcessorMetrics } from './processor.metrics';
import type { ProcessorOptions, ProcessorTopics } from './processor.options';

const RECOVERY_BACKOFF_MS = [100, 250, 500, 1000, 2000, 5000];

/** Batches of one partition ingested while its commit is pending before the handler waits for it. */
const MAX_BATCHES_PER_COMMIT = 8;

/** The topics of one processor, namespaced by its prefix. */
export function processorTopics(prefix: string): ProcessorTopics {
  return {
    prefix,
    input: `${prefix}${EVENTS_TOPIC}`,
    changelog: `${prefix}${CHANGELOG_TOPIC}`,
    deadLetter: `${prefix}${DEAD_LETTER_TOPIC}`,
  };
}

/** What the runtime talks to: Kafka through its ports, the wall clock, metrics and logs. */
export interface EosDependencies {
  input: InputConsumer;
  producers: ProducerFactory;
  restorer: ChangelogRestorer;
  decoder: BatchDecoder;
  clock: Clock;
  metrics: ProcessorMetrics;
  log: RuntimeLogger;
  /** Waits between retries; a test may shorten it. */
  sleep?: (ms: number) => Promise<void>;
  /** Runs the commit timer every `ms`; returns its cancel. A test calls the tick itself. */
  every?: (ms: number, tick: () => void) => () => void;
}

function every(ms: number, tick: () => void): () => void {
  const t = setInterval(tick, ms);
  return () => clearInterval(t);
}

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
  /** Per partition task, its queued or running commit and the batches ingested meanwhile. */
  private readonly commits = new Map<PartitionTask, { batches: number; done: Promise<void> }>();
  private readonly context: TaskContext;
  private readonly sleep: (ms: number) => Promise<void>;
  private cancelTimer: (() => void) | undefined;
  private assigned = new Set<number>();
  private running = false;
  private lastError: string | undefined;
  private failed: ConsumerFailure | undefined;
  /** Set while a batch waits for the schema registry; readiness is false meanwhile. */
  private registryDown: string | undefined;

  constructor(
    private readonly opts: ProcessorOptions,
    private readonly deps: EosDependencies,
  ) {
    this.topics = processorTopics(opts.topicPrefix);
    this.sleep = deps.sleep ?? ((ms) => sleep(ms));
    this.context = {
      opts,
      topics: this.topics,
      metrics: deps.metrics,
      decoder: deps.decoder,
      producers: deps.producers,
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
    this.running = true;
    try {
      await this.deps.input.run({
        assigned: (partitions) => this.onAssignment(partitions),
        batch: (batch, control) => this.onBatch(batch, control),
        crashed: (error, restarting) => this.onCrash(error, restarting),
      });
    } catch (err) {
      this.running = false;
      throw err;
    }
    this.cancelTimer = (this.deps.every ?? every)(
      Math.max(10, Math.floor(this.opts.commitIntervalMs / 2)),
      () => this.onTick(),
    );
  }

  private onCrash(error: unknown, restarting: boolean): void {
    if (restarting) {
      this.deps.log.warn({ err: error }, 'consumer crashed; kafkajs restarts it');
      return;
    }
    this.fail(describeConsumerFailure(error));
  }

  /** The consumer will not come back: readiness false, counted, and the app told to exit. */
  private fail(f: ConsumerFailure): void {
    this.failed = f;
    this.deps.metrics.consumerFailures.inc({
      reason: f.reason,
      topic: f.topic ?? '',
      partition: f.partition === undefined ? '' : String(f.partition),
    });
    this.deps.log.error(
      { reason: f.reason, topic: f.topic, partition: f.partition, offset: f.offset, err: f.message },
      'input consumer stopped for good; exiting so the supervisor restarts the processor',
    );
    this.opts.onFatal?.(f);
  }

  /** Drops partitions we lost, initialises the ones we gained (all gained ones in one restore). */
  private onAssignment(partitions: Set<number>): void {
    this.assigned = partitions;
    this.deps.log.info({ partitions: [...partitions] }, 'partitions assigned');
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
      const t = new PartitionTask(p, this.context);
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
    const { input, metrics, log, clock } = this.deps;
    for (let attempt = 0; ; attempt++) {
      const live = tasks.filter((t) => this.tasks.get(t.partition) === t && t.state !== 'closed');
      if (live.length === 0 || !this.running) return;
      try {
        const started = performance.now();
        const barriers = await Promise.all(
          live.map(async (t) => ({ partition: t.partition, barrier: await t.openProducer() })),
        );
        const restored = await this.deps.restorer(barriers);
        const offsets = await input.committedOffsets(live.map((t) => t.partition));
        for (const t of live) {
          const offset = offsets.get(t.partition) ?? '0';
          t.install(restored.get(t.partition) ?? [], offset, clock.now());
          input.seek(t.partition, offset);
        }
        const seconds = (performance.now() - started) / 1000;
        metrics.restoreSeconds.observe(seconds);
        for (const t of live) metrics.lastRestoreSeconds.set({ partition: String(t.partition) }, seconds);
        log.info(
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
        log.warn({ err, attempt }, 'partition initialisation failed; retrying');
        await this.sleep(backoff(attempt));
      }
    }
  }

  private async onBatch(batch: InputBatch, control: BatchControl): Promise<void> {
    const { isStale, isRunning, heartbeat, resolveOffset } = control;
    const p = batch.partition;
    const task = this.tasks.get(p);
    const ready = this.ready.get(p);
    if (!task || !ready) return; // not (yet) ours: the assignment handler has not seen it
    // Keep the group membership alive while the partition restores.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), 1000);
    try {
      await ready;
    } finally {
      clearInterval(beat);
    }
    if (!isRunning() || isStale()) return;
    // A rebuild while the batch waits for its schemas seeks the consumer; the batch predates it.
    const generation = task.generation;
    if (!(await this.prepareSchemas(batch.messages, control))) return;
    const lag = Number(batch.offsetLag());
    if (Number.isFinite(lag)) this.deps.metrics.consumerLag.set({ partition: String(p) }, lag);
    if (isStale()) return;
    // Moves the consumer's fetch position only; with autoCommit off nothing is committed here.
    resolveOffset(batch.lastOffset());
    const behind = this.commits.get(task);
    if (task.generation !== generation || !this.ingestBatch(task, batch.messages)) return;
    // kafkajs fetches the next batches of every partition only once all handlers of a fetch have
    // returned, so the handler does not wait for this partition's commit: one slow transaction
    // would stall the input of all of them. It waits only when the commit has fallen behind by
    // MAX_BATCHES_PER_COMMIT batches, which bounds the uncommitted input (and the dead letters it
    // holds) while the broker is slow.
    if (behind && ++behind.batches >= MAX_BATCHES_PER_COMMIT) await behind.done;
    await heartbeat().catch(() => undefined);
  }

  /**
   * Folds a batch into the partition's state at once, also while its previous transaction is in
   * flight: the commit took its snapshot (outputs, changelog, dead letters, offset) before its first
   * await, and a failed commit rebuilds the state and rewinds the consumer anyway. False when the
   * partition is not ours or not ready, so the batch is dropped (it is fetched again after the seek).
   */
  private ingestBatch(task: PartitionTask, records: readonly InputRecord[]): boolean {
    if (this.tasks.get(task.partition) !== task || task.state !== 'ready') return false;
    const now = this.deps.clock.now();
    try {
      task.ingest(records, now);
    } catch (err) {
      // The state may hold part of the batch: nothing may commit it; rebuild before anything else.
      task.rebuilding();
      void task.queue.run(() => this.recover(task, err));
      return false;
    }
    if (task.commitDue(now)) this.scheduleCommit(task);
    return true;
  }

  /** Queues the partition's next transaction unless one is queued or running already. */
  private scheduleCommit(task: PartitionTask): void {
    if (this.commits.has(task)) return;
    // The job starts on a later microtask at the earliest, so it finds its own entry to delete.
    const done = task.queue.run(async () => {
      try {
        const now = this.deps.clock.now();
        if (task.commitDue(now)) await this.commitOrRecover(task, now);
      } finally {
        this.commits.delete(task);
      }
    });
    this.commits.set(task, { batches: 0, done });
  }

  /**
   * Fetches the writer schemas a batch names, waiting out a registry outage: its records are fine,
   * so they are neither dead-lettered nor skipped; the batch is held (heartbeating, so the group
   * keeps us) until the registry answers. False when the batch should be dropped unprocessed
   * (stopping, or the partition moved away); it is then fetched again from the committed offset.
   */
  private async prepareSchemas(records: readonly InputRecord[], b: BatchControl): Promise<boolean> {
    const { decoder, metrics, log } = this.deps;
    for (let attempt = 0; ; attempt++) {
      try {
        await decoder.prepare(records.map((m) => m.value));
        if (this.registryDown) log.info({}, 'schema registry reachable again');
        this.registryDown = undefined;
        return true;
      } catch (err) {
        if (!(err instanceof SchemaRegistryUnavailableError)) throw err;
        metrics.registryUnavailable.inc();
        if (this.registryDown === undefined) {
          log.warn({ err: err.message }, 'schema registry unavailable; holding batches and retrying');
        }
        this.registryDown = err.message;
      }
      await b.heartbeat().catch(() => undefined);
      await this.sleep(backoff(attempt));
      if (!b.isRunning() || b.isStale()) return false;
    }
  }

  /** The commit timer: idle partitions still close windows and flush throttled updates. */
  private onTick(): void {
    const { clock } = this.deps;
    for (const task of this.tasks.values()) {
      if (task.commitDue(clock.now())) this.scheduleCommit(task);
    }
  }

  private async commitOrRecover(task: PartitionTask, now: number): Promise<void> {
    try {
      await task.commit(now);
      this.lastError = undefined;
    } catch (err) {
      await this.recover(task, err);
    }
  }

  /** The in-memory state is past what Kafka holds: rebuild it from the changelog and rewind. */
  private async recover(task: PartitionTask, err: unknown): Promise<void> {
    const e = err as Error & { type?: string };
    this.lastError = e.message;
    this.deps.metrics.recoveries.inc({ reason: e.type ?? e.name });
    this.deps.log.warn(
      { err, partition: task.partition },
      'transaction failed; rebuilding the partition from the changelog',
    );
    task.rebuilding();
    // Runs inside the task's queue slot, so no batch or tick touches the task meanwhile.
    await this.initialise([task]);
  }

  /**
   * Graceful shutdown: stop fetching, commit what each partition has processed (a last
   * transaction), then leave the group so the partitions move on at once.
   */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.cancelTimer?.();
    const { input, clock, log } = this.deps;
    await input.stop().catch(() => undefined);
    await Promise.all(
      [...this.tasks.values()].map((task) =>
        task.queue.run(async () => {
          if (task.state === 'ready') {
            await task.commit(clock.now()).catch((err: Error) => log.warn({ err }, 'final commit failed'));
          }
          await task.close();
        }),
      ),
    );
    this.tasks.clear();
    await input.disconnect().catch(() => undefined);
  }
}

const backoff = (attempt: number) =>
  RECOVERY_BACKOFF_MS[Math.min(attempt, RECOVERY_BACKOFF_MS.length - 1)] ?? 5000;
