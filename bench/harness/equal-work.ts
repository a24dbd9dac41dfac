import type { AggregateRecord } from '@streammetrics/contracts';
import { FLUSH_SERVICE } from './input';
import { aggregateKey, type WindowTotals } from './reference';

export interface EqualWorkReport {
  system: string;
  /** Which of the system's runs (1-based), when it ran more than once. */
  run?: number;
  expectedWindows: number;
  matched: number;
  /** Windows whose final count or sum differs from the exact computation. */
  wrong: string[];
  /** Closed windows without a final record. */
  missing: string[];
  /** Windows with more than one final record. */
  duplicated: string[];
  /** Finals for windows the exact computation has no closed window for (beyond what is closed). */
  unexpected: number;
  undecodable: number;
  /** Interim update records the run wrote (finals not counted), when counted. */
  updates?: number;
  /** updates / input events: differs between systems by design (wall-clock emit throttles see
   * different run lengths), so a difference is informational; none at all fails the check. */
  updatesPerEvent?: number;
  ok: boolean;
  /** What a system-specific check compared differently (bench/harness/watermark.equal-work.ts). */
  note?: string;
}

/** What a run wrote besides its finals, for the interim-update part of the check. */
export interface InterimCount {
  updates: number;
  inputEvents: number;
}

const SUM_TOLERANCE = 1e-9;
/**
 * Allowed rank error of a reported percentile: a t-digest at compression 100 stays well inside 1%
 * of rank; 2% leaves room for the interpolation of either implementation on small windows. An
 * answer that falls between two adjacent values of the window has the ranks of both.
 */
export const RANK_TOLERANCE = 0.02;
const QUANTILES = [
  ['p50', 0.5],
  ['p95', 0.95],
  ['p99', 0.99],
] as const;

/** Why the reported percentiles are off by more than the rank tolerance, or undefined. */
export function percentileProblem(got: AggregateRecord, values: number[]): string | undefined {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  for (const [name, q] of QUANTILES) {
    const lo = sorted[Math.max(0, Math.floor((q - RANK_TOLERANCE) * n) - 1)] as number;
    const hi = sorted[Math.min(n - 1, Math.ceil((q + RANK_TOLERANCE) * n))] as number;
    const v = got[name];
    // Float32 slack: a digest's compact encoding (Java's asSmallBytes) stores centroids as float.
    const slack = 1e-6 * Math.max(Math.abs(lo), Math.abs(hi));
    if (typeof v !== 'number') return `${name} ${v} outside [${lo}, ${hi}]`;
    if (v >= lo - slack && v <= hi + slack) continue;
    // A digest interpolates between centroids, so on a window of few distinct values (counts of
    // 1 to 5) it may answer between two of them: 2.94 where every value near the median is 3.
    // No value of the window lies in that gap, so the answer ranks as the gap's ends do; it is
    // within the tolerance when one end is.
    const [below, above] = neighbours(sorted, v);
    if (below > hi + slack || above < lo - slack) return `${name} ${v} outside [${lo}, ${hi}]`;
  }
  return undefined;
}

/** The window's values next to `v`: the largest at most `v` and the smallest at least `v`. */
function neighbours(sorted: Float64Array, v: number): [number, number] {
  let a = 0;
  let b = sorted.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if ((sorted[m] as number) <= v) a = m + 1;
    else b = m;
  }
  const below = a > 0 ? (sorted[a - 1] as number) : -Infinity;
  const above = a > 0 && sorted[a - 1] === v ? v : a < sorted.length ? (sorted[a] as number) : Infinity;
  return [below, above];
}

/**
 * Checks one system's final records against the exact totals: every closed window exactly one
 * final, count, min and max equal, sum equal up to floating-point summation order, and (1m
 * windows) p50/p95/p99 within RANK_TOLERANCE of their exact rank. Comparing each system with
 * the same exact answer also compares them with each other. With `interim`, a system that wrote
 * no interim update at all fails too (every system is configured to emit them).
 */
export function checkFinals(
  system: string,
  finals: AggregateRecord[],
  undecodable: number,
  reference: Map<string, WindowTotals>,
  interim?: InterimCount,
): EqualWorkReport {
  const seen = new Map<string, { n: number; r: AggregateRecord }>();
  for (const r of finals) {
    if (r.serviceId === FLUSH_SERVICE) continue;
    const key = aggregateKey(r);
    const s = seen.get(key);
    if (s) s.n++;
    else seen.set(key, { n: 1, r });
  }
  const wrong: string[] = [];
  const missing: string[] = [];
  const duplicated: string[] = [];
  let matched = 0;
  for (const [key, want] of reference) {
    const got = seen.get(key);
    if (!got) {
      missing.push(key);
      continue;
    }
    if (got.n > 1) duplicated.push(`${key} (${got.n} finals)`);
    const sumOk = Math.abs(got.r.sum - want.sum) <= SUM_TOLERANCE * Math.max(1, Math.abs(want.sum));
    const pct = want.values ? percentileProblem(got.r, want.values) : undefined;
    if (got.r.count !== want.count || !sumOk || got.r.min !== want.min || got.r.max !== want.max || pct) {
      wrong.push(
        `${key}: count ${got.r.count} vs ${want.count}, sum ${got.r.sum} vs ${want.sum}, min ${got.r.min} vs ${want.min}, max ${got.r.max} vs ${want.max}${pct ? `, ${pct}` : ''}`,
      );
    } else matched++;
  }
  let unexpected = 0;
  for (const key of seen.keys()) if (!reference.has(key)) unexpected++;
  return {
    system,
    expectedWindows: reference.size,
    matched,
    wrong,
    missing,
    duplicated,
    unexpected,
    undecodable,
    updates: interim?.updates,
    updatesPerEvent: interim ? interim.updates / Math.max(1, interim.inputEvents) : undefined,
    ok:
      wrong.length + missing.length + duplicated.length + unexpected + undecodable === 0 &&
      (interim === undefined || interim.updates > 0),
  };
}
