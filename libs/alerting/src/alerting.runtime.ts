import type { Pool } from 'pg';
import type { ConsumerFailure, KafkaSecurity } from '@streammetrics/kafka';
import type { HealthState } from '@streammetrics/observability';
import { migrate } from '@streammetrics/storage';
import { messageOf, type RetryPolicy } from '@streammetrics/sink';
import type { AlertConsumer } from './alert.consumer';
import type { AlertEvaluator } from './alert.evaluator';
import type { AlertRulesRepository, RulesVersion } from './alert-rules.repository';
import type { AlertStatesRepository } from './alert-states.repository';
import type { AlertingLog } from './alerting.log';
import type { AlertingMetrics } from './alerting.metrics';
import { compileRule } from './compiled.rule';
import type { EvaluationQueue } from './evaluation.queue';
import type { DispatcherOptions, NotificationDispatcher } from './notification.dispatcher';
import { RuleIndex } from './rule.index';
import { readRulesFile } from './rules.file';

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
  /** Where alerting logs (default: the app's logger under the context 'alerting'). */
  log?: AlertingLog;
  onFatal?: (failure: ConsumerFailure) => void;
}

/** What the alerting app runs, as AlertingModule wires it. */
export interface AlertingParts {
  pool: Pool;
  rules: AlertRulesRepository;
  store: AlertStatesRepository;
  evaluator: AlertEvaluator;
  dispatcher: NotificationDispatcher;
  consumer: AlertConsumer;
  queue: EvaluationQueue;
  metrics: AlertingMetrics;
  log: AlertingLog;
}

/**
 * The alerting app's start, stop and background work: rules from PostgreSQL (and the rules file),
 * the evaluator fed by the aggregate topics, and the dispatcher sending the outbox.
 */
export class AlertingRuntime {
  readonly metrics: AlertingMetrics;
  readonly evaluator: AlertEvaluator;
  readonly dispatcher: NotificationDispatcher;
  private readonly rules: AlertRulesRepository;
  private readonly consumer: AlertConsumer;
  private readonly store: AlertStatesRepository;
  private readonly queue: EvaluationQueue;
  private readonly pool: Pool;
  private readonly log: AlertingLog;
  private rulesVersion: RulesVersion | undefined;
  private timers: NodeJS.Timeout[] = [];

  constructor(
    private readonly opts: AlertingOptions,
    p: AlertingParts,
  ) {
    ({
      metrics: this.metrics,
      evaluator: this.evaluator,
      dispatcher: this.dispatcher,
      rules: this.rules,
      consumer: this.consumer,
      store: this.store,
      queue: this.queue,
      pool: this.pool,
      log: this.log,
    } = p);
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
    await this.queue.drained();
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
    await this.queue.exclusive(async () => {
      const repeats = this.evaluator.repeats();
      if (repeats.count === 0) return;
      await this.store.commit(repeats.changes);
      this.evaluator.applyRepeats(repeats);
      this.dispatcher.wake();
    });
  }

  private every(ms: number, fn: () => Promise<void>): void {
    const t = setInterval(() => {
      fn().catch((err: unknown) => this.log.warn({ err: messageOf(err) }, 'alerting background task failed'));
    }, ms);
    t.unref();
    this.timers.push(t);
  }
}
