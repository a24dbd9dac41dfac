import type { AlertOp, AlertRule } from '@streammetrics/contracts/api';
import { windowSpec, type WindowId } from '@streammetrics/contracts';
import { parseDuration } from './duration';
import { parseRuleStat, type RuleStat } from './rule.stat';

const DEFAULT_REPEAT_MS = 4 * 3_600_000;

/** A checked rule in the form the evaluator runs: durations in ms, the stat parsed, the topic known. */
export interface CompiledRule {
  id: string;
  name: string;
  /** undefined: every service (the rule fans out). */
  service?: string;
  metric?: string;
  /** Required tags; "" matches any value. Empty: the service-level series only. */
  tags: Record<string, string>;
  window: WindowId;
  /** The aggregate topic (without prefix) whose records the rule reads. */
  topic: string;
  statName: string;
  stat: RuleStat;
  op: AlertOp;
  threshold: number;
  forMs: number;
  on: 'final' | 'update';
  noData?: { afterMs: number; fire: boolean };
  labels: Record<string, string>;
  annotations: Record<string, string>;
  receivers: string[];
  repeatMs: number;
}

/** Compiles a rule already checked by checkRuleSpec (the API and the file loader check first). */
export function compileRule(rule: AlertRule): CompiledRule {
  const stat = parseRuleStat(rule.stat);
  if (!stat) throw new Error(`rule ${rule.id}: invalid stat ${rule.stat}`);
  const ms = (d: string | undefined, fallback: number) =>
    d === undefined ? fallback : (parseDuration(d) ?? fallback);
  return {
    id: rule.id,
    name: rule.name,
    service: rule.service || undefined,
    metric: rule.metric || undefined,
    tags: rule.tags ?? {},
    window: rule.window,
    topic: windowSpec(rule.window).topic,
    statName: rule.stat,
    stat,
    op: rule.op,
    threshold: rule.threshold,
    forMs: ms(rule.for, 0),
    on: rule.on ?? 'final',
    noData: rule.noData && { afterMs: ms(rule.noData.after, 0), fire: rule.noData.fire },
    labels: rule.labels ?? {},
    annotations: rule.annotations ?? {},
    receivers: rule.receivers,
    repeatMs: ms(rule.repeatInterval, DEFAULT_REPEAT_MS),
  };
}

export function breaches(op: AlertOp, value: number, threshold: number): boolean {
  switch (op) {
    case '>':
      return value > threshold;
    case '>=':
      return value >= threshold;
    case '<':
      return value < threshold;
    case '<=':
      return value <= threshold;
  }
}
