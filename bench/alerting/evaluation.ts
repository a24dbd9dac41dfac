import { decodeAggregate, encodeAggregate, type AggregateRecord } from '@streammetrics/contracts';
import { AlertEvaluator, compileRule, RuleIndex } from '@streammetrics/alerting';
import type { AlertRule } from '@streammetrics/contracts/api';

export interface EvaluationRow {
  label: string;
  rules: number;
  recordsPerSecond: number;
  /** (rule, series) evaluations per second. */
  evaluationsPerSecond: number;
  transitions: number;
}

const TOPIC = 'metrics-aggregated-1m';

/**
 * Evaluation alone, in this process: decode each record (as the consumer does), evaluate the
 * rules, adopt the changes — no database. Batches of 500 records, as a fetch hands them over.
 * Steady state: a first pass over the records creates the (rule, series) states, the measured
 * pass is the same records an hour of event time later. The ceiling row decodes and does nothing
 * else.
 */
export function measureEvaluation(
  label: string,
  rules: AlertRule[],
  records: readonly AggregateRecord[],
  rounds: number,
): EvaluationRow {
  const spanMs =
    records.reduce((m, r) => Math.max(m, r.window.end), 0) -
    records.reduce((m, r) => Math.min(m, r.window.start), Infinity);
  const later = (r: AggregateRecord, by: number): AggregateRecord => ({
    ...r,
    window: { ...r.window, start: r.window.start + by, end: r.window.end + by },
    streamTime: r.streamTime + by,
  });
  const warm = records.map(encodeAggregate);
  const bytes = records.map((r) => encodeAggregate(later(r, spanMs)));
  const index = new RuleIndex(rules.map(compileRule));
  let best = Infinity;
  let evaluations = 0;
  let transitions = 0;
  for (let round = 0; round < rounds; round++) {
    const e = new AlertEvaluator(index, { externalUrl: 'http://bench', now: Date.now });
    if (rules.length > 0) {
      for (let i = 0; i < warm.length; i += 500) {
        const batch = warm.slice(i, i + 500).map((b) => decodeAggregate(b));
        e.apply(e.evaluate(TOPIC, TOPIC, 0, batch, batch[batch.length - 1]?.streamTime ?? 0));
      }
    }
    evaluations = 0;
    transitions = 0;
    const t0 = performance.now();
    for (let i = 0; i < bytes.length; i += 500) {
      const batch = bytes.slice(i, i + 500).map((b) => decodeAggregate(b));
      if (rules.length === 0) continue;
      for (const r of batch) evaluations += index.matching(TOPIC, r).length;
      const streamTime = batch[batch.length - 1]?.streamTime ?? 0;
      const c = e.evaluate(TOPIC, TOPIC, 0, batch, streamTime);
      transitions += c.history.length;
      e.apply(c);
    }
    best = Math.min(best, performance.now() - t0);
  }
  const seconds = best / 1000;
  return {
    label,
    rules: rules.length,
    recordsPerSecond: records.length / seconds,
    // The matching pass above counts them; evaluation does the same matching again.
    evaluationsPerSecond: evaluations / seconds,
    transitions,
  };
}
