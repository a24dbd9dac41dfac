import { isStat, type AggregateRecord, type Stat } from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';

/** What a rule reads from a window result: one of the record's statistics, or any quantile. */
export type RuleStat = { kind: 'stat'; stat: Stat } | { kind: 'quantile'; level: number };

const QUANTILE = /^q(0(\.\d+)?|1(\.0+)?)$/;

/** Parses a rule's `stat`; undefined when it is neither a statistic nor q<level> with 0 ≤ level ≤ 1. */
export function parseRuleStat(text: string): RuleStat | undefined {
  if (isStat(text)) return { kind: 'stat', stat: text };
  if (QUANTILE.test(text)) return { kind: 'quantile', level: Number(text.slice(1)) };
  return undefined;
}

/**
 * The value a rule compares: a statistic straight from the record, a quantile the record does not
 * carry estimated from its digest. null when the window has no such value (an unreadable digest).
 */
export function statValue(stat: RuleStat, record: AggregateRecord): number | null {
  if (stat.kind === 'stat') return record[stat.stat];
  try {
    const q = TDigest.fromBase64(record.digest).quantile(stat.level);
    return Number.isFinite(q) ? q : null;
  } catch {
    return null;
  }
}
