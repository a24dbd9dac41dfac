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
 * The values rules compare, read from one window result: a statistic straight from the record, a
 * quantile the record does not carry estimated from its digest — decoded once per record however
 * many rules ask. null when the window has no such value (an unreadable digest).
 */
export class RecordValues {
  private digest: TDigest | null | undefined;
  private readonly quantiles = new Map<number, number | null>();

  constructor(private readonly record: AggregateRecord) {}

  value(stat: RuleStat): number | null {
    if (stat.kind === 'stat') return this.record[stat.stat];
    let q = this.quantiles.get(stat.level);
    if (q === undefined) {
      const d = this.decoded();
      const v = d ? d.quantile(stat.level) : Number.NaN;
      q = Number.isFinite(v) ? v : null;
      this.quantiles.set(stat.level, q);
    }
    return q;
  }

  private decoded(): TDigest | null {
    if (this.digest === undefined) {
      try {
        this.digest = TDigest.fromBase64(this.record.digest);
      } catch {
        this.digest = null;
      }
    }
    return this.digest;
  }
}
