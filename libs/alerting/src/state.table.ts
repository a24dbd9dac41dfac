import type { AlertState } from './alert.evaluator';

/**
 * The states by series, then by rule. A record is looked up once per matching rule: keyed this way
 * the series key is hashed once per record and rule ids (long-lived strings) hash once ever,
 * instead of building and hashing a (rule, series) string per evaluation.
 */
export class StateTable {
  private readonly bySeries = new Map<string, Map<string, AlertState>>();

  get(series: string, ruleId: string): AlertState | undefined {
    return this.bySeries.get(series)?.get(ruleId);
  }

  set(s: AlertState): void {
    let rules = this.bySeries.get(s.seriesKey);
    if (!rules) {
      rules = new Map();
      this.bySeries.set(s.seriesKey, rules);
    }
    rules.set(s.ruleId, s);
  }

  *values(): IterableIterator<AlertState> {
    for (const rules of this.bySeries.values()) yield* rules.values();
  }

  /** Drops every state the predicate holds for. */
  deleteWhere(pred: (s: AlertState) => boolean): void {
    for (const [series, rules] of this.bySeries) {
      for (const [id, s] of rules) if (pred(s)) rules.delete(id);
      if (rules.size === 0) this.bySeries.delete(series);
    }
  }
}
