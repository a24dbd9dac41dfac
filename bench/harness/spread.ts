/** Several runs of one figure: their median and range. */
export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

/** undefined for no runs; the median of an even count is the mean of the middle two. */
export function spreadOf(values: readonly number[]): Spread | undefined {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const median = s.length % 2 === 1 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
  return { median, min: s[0] as number, max: s[s.length - 1] as number, runs: s.length };
}

/** "median (min–max)", or just the value for one run. */
export function formatSpread(s: Spread | undefined, digits = 0): string {
  if (!s) return '–';
  const f = (v: number) =>
    v.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
  return s.runs === 1 ? f(s.median) : `${f(s.median)} (${f(s.min)}–${f(s.max)})`;
}
