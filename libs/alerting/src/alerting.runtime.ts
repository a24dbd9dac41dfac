import { Pool } from 'pg';
import type { Registry } from 'prom-client';
import { WINDOW_SPECS } from '@streammetrics/contracts';
import { createKafka, type ConsumerFailure, type KafkaSecurity } from '@streammetrics/kafka';
import type { HealthState } from '@streammetrics/observability';
import { migrate } from '@streammetrics/storage';
import { messageOf, type RetryPolicy } from '@streammetrics/sink';
import { AlertConsumer } from './alert.consumer';
import { AlertEvaluator } from './alert.evaluator';
import { AlertRulesRepository, type RulesVersion } from './alert-rules.repository';
import { AlertStatesRepository } from './alert-states.repository';
import { silentLog, type AlertingLog } from './alerting.log';
import { createAlertingMetrics, type AlertingMetrics } from './alerting.metrics';
import { compileRule } from './compiled.rule';
import {
  DEFAULT_DISPATCHER_OPTIONS,
  NotificationDispatcher,
  type DispatcherOptions,
} from './notification.dispatcher';
import { OutboxRepository } from './outbox.repository';
import { RuleIndex } from './rule.index';
import { readRulesFile } from './rules.file';
import { SilencesRepository } from './silences.repository';

export const ALERTING_GROUP = 'streammetrics-alerting';

export interface AlertingOptions {
  kafkaBrokers: string[];
  /** TLS and SASL for the brokers (kafkaSecurity of the app's config); absent = plaintext. */
  kafkaSecurity?: KafkaSecurity;
  databaseUrl: string;
  topicPrefix: string;
  /** The consumer group, and the key of its offsets in PostgreSQL (tests run their own). */
  groupId?: string;
  /** A new group reads the retained window results from the start (default: only new ones). */
  fromBeginning?: boolean;
  /** YAML rules loaded at start as the 'file' rules. */
  rulesFile?: string;
  /** Base URL of the dashboard, for the webhook body's links. */
  externalUrl: string;
  dispatcher?: Partial<DispatcherOptions>;
  /** How the evaluator retries PostgreSQL while it is down. */
  storeRetry?: RetryPolicy;
  /** How often rule changes (REST API) are looked for. */
  rulesPollMs?: number;
  /** How often still-firing alerts are checked against their repeat interval. */
  repeatCheckMs?: number;
  provision?: boolean;
  registry: Registry;
  log?: AlertingLog;
  onFatal?: (failure: ConsumerFailure) => void;
}

/**
 * The alerting app without a framework, so the app module, the end-to-end tests and the benchmark
 * run the same object: rules from PostgreSQL (and the rules file), the evaluator fed by the
 * aggregate topics, and the dispatcher sending the outbox.
 */
export class AlertingRuntime {
  readonly metrics: AlertingMetrics;
  readonly pool: Pool;
  readonly evaluator: AlertEvaluator;
  readonly dispatcher: NotificationDispatcher;
  private readonly rules: AlertRulesRepository;
  private readonly consumer: AlertConsumer;
  private readonly store: AlertStatesRepository;
  private readonly log: AlertingLog;
  private rulesVersion: RulesVersion | undefined;
  private timers: NodeJS.Timeout[] = [];
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly opts: AlertingOptions) {
    const log = (this.log = opts.log ?? silentLog);
    this.metrics = createAlertingMetrics(opts.registry);
    this.pool = new Pool({ connectionString: opts.databaseUrl, max: 4, connectionTimeoutMillis: 3_000 });
    this.pool.on('error', (err) => log.warn({ err: err.message }, 'idle PostgreSQL client failed'));
    this.rules = new AlertRulesRepository(this.pool);
    this.store = new AlertStatesRepository(this.pool, opts.groupId ?? ALERTING_GROUP);
    this.evaluator = new AlertEvaluator(new RuleIndex([]), { externalUrl: opts.externalUrl, now: Date.now });
    this.dispatcher = new NotificationDispatcher(
      new OutboxRepository(this.pool),
      new SilencesRepository(this.pool),
      this.metrics,
      log,
      { ...DEFAULT_DISPATCHER_OPTIONS, ...opts.dispatcher },
    );
    const kafka = createKafka({
      brokers: opts.kafkaBrokers,
      clientId: 'alerting',
      security: opts.kafkaSecurity,
      log: (level, message, extra) =>
        level === 'error' || level === 'warn' ? log.warn(extra, message) : undefined,
    });
    this.consumer = new AlertConsumer({
      kafka,
      groupId: opts.groupId ?? ALERTING_GROUP,
      topics: new Map(WINDOW_SPECS.map((w) => [`${opts.topicPrefix}${w.topic}`, w.topic])),
      fromBeginning: opts.fromBeginning ?? false,
      evaluator: this.evaluator,
      store: this.store,
      metrics: this.metrics,
      log,
      retry: opts.storeRetry ?? { initialMs: 100, maxMs: 5_000, factor: 2, jitter: 0.2 },
      exclusive: (fn) => this.exclusive(fn),
      onCommitted: () => this.dispatcher.wake(),
      onFatal: opts.onFatal,
    });
  }

  async start(): Promise<void> {
    if (this.opts.provision) await migrate(this.opts.databaseUrl);
    if (this.opts.rulesFile) {
      const fileRules = readRulesFile(this.opts.rulesFile);
      await this.rules.syncFileRules(fileRules);
      this.log.info({ file: this.opts.rulesFile, rules: fileRules.length }, 'alert rules file loaded');
    }
    await this.reloadRules();
    this.dispatcher.start();
    await this.consumer.start();
    this.every(this.opts.rulesPollMs ?? 2_000, () => this.reloadRules());
    this.every(this.opts.repeatCheckMs ?? 10_000, () => this.sendRepeats());
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.consumer.stop();
    await this.dispatcher.stop();
    await this.queue.catch(() => undefined);
    await this.pool.end();
  }

  checks(): Record<string, () => HealthState> {
    return { kafka: () => this.consumer.health() };
  }

  /** Rules changed through the API are picked up within one poll. */
  async reloadRules(): Promise<void> {
    const version = await this.rules.version();
    if (
      this.rulesVersion &&
      version.count === this.rulesVersion.count &&
      version.updatedAt === this.rulesVersion.updatedAt
    ) {
      return;
    }
    const compiled = [];
    for (const rule of await this.rules.list()) {
      try {
        compiled.push(compileRule(rule));
      } catch (err) {
        this.log.warn({ rule: rule.id, err: messageOf(err) }, 'alert rule skipped');
      }
    }
    this.evaluator.setRules(new RuleIndex(compiled));
    this.rulesVersion = version;
    this.metrics.rules.set(compiled.length);
  }

  private async sendRepeats(): Promise<void> {
    await this.exclusive(async () => {
      const repeats = this.evaluator.repeats();
      if (repeats.count === 0) return;
      await this.store.commit(repeats.changes);
      this.evaluator.applyRepeats(repeats);
      this.dispatcher.wake();
    });
  }

  /** One piece of evaluation work at a time: batches and repeats change the same states. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => {
      fn().catch((err: unknown) => this.log.warn({ err: messageOf(err) }, 'alerting background task failed'));
    }, ms);
    t.unref();
    this.timers.push(t);
  }
}
