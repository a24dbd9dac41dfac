import type { AggregateRecord } from '@streammetrics/contracts';
import type { Alert, AlertHistoryEntry } from '@streammetrics/contracts/api';
import { NEW_LIFECYCLE, observe, observeSilence, type Lifecycle, type Step } from './alert.lifecycle';
import { breaches, type CompiledRule } from './compiled.rule';
import type { RuleIndex } from './rule.index';
import { RecordValues } from './rule.stat';
import { StateTable } from './state.table';
import {
  alertAnnotations,
  alertLabels,
  fingerprint,
  SERIES_SEPARATOR,
  seriesKey,
  templateVars,
} from './series.labels';
import { idempotencyKey, webhookBody, type WebhookBody } from './webhook.body';

/** One (rule, series) as the evaluator keeps it, and as alert_states stores it. */
export interface AlertState
  extends Lifecycle, Pick<Alert, 'ruleId' | 'fingerprint' | 'labels' | 'annotations'> {
  seriesKey: string;
  topic: string;
  partition: number;
  /** Wall time of the last firing notification (drives the repeat interval). */
  lastNotifiedAt: number | null;
  /** The last window end written to alert_states (memory only). */
  persistedWindowEnd?: number;
}

/** A transition as the evaluator writes it: the API's history entry before the store numbers it. */
export type HistoryRow = Omit<AlertHistoryEntry, 'id' | 'recordedAt'>;

export interface OutboxRow {
  ruleId: string;
  fingerprint: string;
  status: 'firing' | 'resolved';
  receiver: string;
  idempotencyKey: string;
  labels: Record<string, string>;
  body: WebhookBody;
}

/** What one batch changes: written in one database transaction, then applied in memory. */
export interface Changes {
  states: AlertState[];
  history: HistoryRow[];
  outbox: OutboxRow[];
}

/**
 * How often (event time) a state whose status did not change is written anyway, so that after a
 * restart its last window (what no-data is measured from) is at most this old.
 */
const PERSIST_EVERY_MS = 60_000;

export interface EvaluatorOptions {
  externalUrl: string;
  now: () => number;
}

/**
 * Evaluates window results against the rules, per (rule, series), without side effects: a batch
 * yields the changed states, the history rows and the notifications, which the caller commits
 * together with the offsets before `apply` makes them the evaluator's own. A batch that fails to
 * commit is evaluated again from the same states.
 */
export class AlertEvaluator {
  private readonly states = new StateTable();
  /** The states the last evaluated batch changed, until `apply`. */
  private pendingOverlay = new StateTable();

  constructor(
    private rules: RuleIndex,
    private readonly opts: EvaluatorOptions,
  ) {}

  setRules(rules: RuleIndex): void {
    this.rules = rules;
    this.states.deleteWhere((s) => !rules.rules.has(s.ruleId));
  }

  get ruleIndex(): RuleIndex {
    return this.rules;
  }

  /** Replaces the states of one partition with those loaded from the database (on assignment). */
  load(topic: string, partition: number, loaded: readonly AlertState[]): void {
    this.states.deleteWhere((s) => s.topic === topic && s.partition === partition);
    for (const s of loaded) this.states.set({ ...s, persistedWindowEnd: s.lastWindowEnd });
  }

  /** The states of firing alerts, for the repeat interval. */
  firing(): AlertState[] {
    return [...this.states.values()].filter((s) => s.status === 'firing');
  }

  rule(id: string): CompiledRule | undefined {
    return this.rules.rules.get(id);
  }

  /** Keeps only the states of the partitions this evaluator is assigned (after a rebalance). */
  retain(owned: (topic: string, partition: number) => boolean): void {
    this.states.deleteWhere((s) => !owned(s.topic, s.partition));
  }

  /**
   * `window` is the unprefixed aggregate topic (what rules name), `topic` the one the records came
   * from (what states are stored under, so prefixed test runs never share states).
   */
  evaluate(
    window: string,
    topic: string,
    partition: number,
    records: readonly AggregateRecord[],
    streamTime: number,
  ): Changes {
    const overlay = new StateTable();
    const changes: Changes = { states: [], history: [], outbox: [] };

    for (const r of records) {
      const rules = this.rules.matching(window, r);
      if (rules.length === 0) continue;
      const series = seriesKey(r);
      const values = new RecordValues(r);
      for (const rule of rules) {
        if (!r.final && rule.on === 'final') continue;
        const prev =
          overlay.get(series, rule.id) ??
          this.states.get(series, rule.id) ??
          this.fresh(rule, r, series, topic, partition);
        const value = values.value(rule.stat);
        const breaching = value !== null && breaches(rule.op, value, rule.threshold);
        const step = observe(
          prev,
          { windowStart: r.window.start, windowEnd: r.window.end, value, breaching },
          rule,
        );
        if (step.next === prev) continue;
        overlay.set(this.record(rule, prev, step, templateVars(rule, r, value), changes));
      }
    }
    this.checkNoData(window, topic, partition, streamTime, overlay, changes);
    for (const s of overlay.values()) {
      const changedStatus = s.status !== this.states.get(s.seriesKey, s.ruleId)?.status;
      if (changedStatus || s.lastWindowEnd - (s.persistedWindowEnd ?? -Infinity) >= PERSIST_EVERY_MS) {
        changes.states.push(s);
      }
    }
    this.pendingOverlay = overlay;
    return changes;
  }

  /** Makes the last evaluated batch's changes the evaluator's own (after they were committed). */
  apply(changes: Changes): void {
    for (const s of changes.states) s.persistedWindowEnd = s.lastWindowEnd;
    for (const s of this.pendingOverlay.values()) this.states.set(s);
    this.pendingOverlay = new StateTable();
  }

  /** Repeat notifications for alerts still firing after their rule's repeat interval (wall time). */
  repeats(): { changes: Changes; count: number } {
    const now = this.opts.now();
    const changes: Changes = { states: [], history: [], outbox: [] };
    for (const s of this.states.values()) {
      const rule = this.rules.rules.get(s.ruleId);
      if (!rule || s.status !== 'firing' || s.startsAt === null) continue;
      if (s.lastNotifiedAt !== null && now - s.lastNotifiedAt < rule.repeatMs) continue;
      const next = { ...s, lastNotifiedAt: now };
      this.enqueue(rule, next, 'firing', changes);
      changes.states.push(next);
    }
    return { changes, count: changes.states.length };
  }

  applyRepeats(r: { changes: Changes }): void {
    for (const s of r.changes.states) this.states.set(s);
  }

  private checkNoData(
    window: string,
    topic: string,
    partition: number,
    streamTime: number,
    overlay: StateTable,
    changes: Changes,
  ): void {
    const rules = this.rules.withNoData(window);
    if (rules.length === 0) return;
    const ids = new Set(rules.map((r) => r.id));
    for (const known of [...this.states.values()]) {
      if (known.partition !== partition || known.topic !== topic || !ids.has(known.ruleId)) continue;
      const prev = overlay.get(known.seriesKey, known.ruleId) ?? known;
      const rule = this.rules.rules.get(prev.ruleId) as CompiledRule;
      const step = observeSilence(prev, streamTime, rule);
      if (step.next === prev) continue;
      const [service, metric] = prev.seriesKey.split(SERIES_SEPARATOR);
      const vars = templateVars(
        rule,
        { serviceId: service ?? '', metricName: metric ?? '', tags: tagsOf(prev) },
        null,
      );
      overlay.set(this.record(rule, prev, step, vars, changes));
    }
  }

  private fresh(
    rule: CompiledRule,
    r: AggregateRecord,
    series: string,
    topic: string,
    partition: number,
  ): AlertState {
    const labels = alertLabels(rule, r);
    return {
      ...NEW_LIFECYCLE,
      ruleId: rule.id,
      seriesKey: series,
      fingerprint: fingerprint(rule.id, labels),
      topic,
      partition,
      labels,
      annotations: {},
      lastNotifiedAt: null,
    };
  }

  /** The next state of a step, with its history row and notifications. */
  private record(
    rule: CompiledRule,
    prev: AlertState,
    step: Step,
    vars: ReturnType<typeof templateVars>,
    changes: Changes,
  ): AlertState {
    const next: AlertState = { ...prev, ...step.next };
    if (!step.from) return next;
    next.annotations = alertAnnotations(rule, vars);
    changes.history.push({
      ruleId: rule.id,
      ruleName: rule.name,
      fingerprint: next.fingerprint,
      labels: next.labels,
      from: step.from,
      to: next.status,
      value: next.value,
      at: next.status === 'firing' ? (next.startsAt as number) : next.lastWindowEnd,
    });
    if (step.notify) {
      if (step.notify === 'firing') next.lastNotifiedAt = this.opts.now();
      this.enqueue(rule, next, step.notify, changes);
    }
    return next;
  }

  private enqueue(rule: CompiledRule, s: AlertState, status: 'firing' | 'resolved', changes: Changes): void {
    const startsAt = s.startsAt as number;
    const body = webhookBody({
      status,
      ruleName: rule.name,
      labels: s.labels,
      annotations: s.annotations,
      fingerprint: s.fingerprint,
      startsAt,
      endsAt: s.endsAt,
      externalUrl: this.opts.externalUrl,
    });
    for (const receiver of rule.receivers) {
      changes.outbox.push({
        ruleId: rule.id,
        fingerprint: s.fingerprint,
        status,
        receiver,
        idempotencyKey: idempotencyKey(s.fingerprint, startsAt, status),
        labels: s.labels,
        body,
      });
    }
  }
}

/** The series' tags, read back from the alert's labels (no-data has no record to read them from). */
function tagsOf(s: AlertState): Record<string, string> {
  const [, , key] = s.seriesKey.split(SERIES_SEPARATOR);
  try {
    return key ? (JSON.parse(key) as Record<string, string>) : {};
  } catch {
    return {};
  }
}
