/**
 * The statistics of a window, defined once: what an aggregate record, a stored window, a rollup
 * and a query answer carry. Adding a quantile is one line here (plus the PostgreSQL column);
 * everything that lists, computes or validates statistics derives from these.
 */
export const EXACT_STATS = ['count', 'sum', 'min', 'max', 'avg', 'rate'] as const;

/** Quantile statistics and the level each one estimates from the window's t-digest. */
export const QUANTILE_STATS = { p50: 0.5, p95: 0.95, p99: 0.99 } as const;

export type ExactStat = (typeof EXACT_STATS)[number];
export type QuantileStat = keyof typeof QUANTILE_STATS;
export type Stat = ExactStat | QuantileStat;

export const QUANTILE_STAT_NAMES = Object.keys(QUANTILE_STATS) as QuantileStat[];
export const QUANTILE_LEVELS: readonly number[] = QUANTILE_STAT_NAMES.map((s) => QUANTILE_STATS[s]);
export const STATS: readonly Stat[] = [...EXACT_STATS, ...QUANTILE_STAT_NAMES];

export function isStat(name: string): name is Stat {
  return (STATS as readonly string[]).includes(name);
}

/** The statistics of any record that carries them, in the one order (e.g. of a JSON body). */
export function statsOf<V>(source: Record<Stat, V>): Record<Stat, V> {
  const out = {} as Record<Stat, V>;
  for (const s of STATS) out[s] = source[s];
  return out;
}

/**
 * A window's statistics. The one rule for an empty window (no events: a merge of nothing, or a
 * series that stopped): count, sum and rate are 0; min, max, avg and the quantiles are null, never
 * 0 or NaN, because no value was seen. A quantile is also null when no readable digest was there.
 */
export type WindowStats = { count: number; sum: number; rate: number } & Record<
  'min' | 'max' | 'avg' | QuantileStat,
  number | null
>;

/** The statistics of a window that has events: every one is a number. */
export type FilledWindowStats = Record<Stat, number>;
