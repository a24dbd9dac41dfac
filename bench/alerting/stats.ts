/** The q-th percentile (nearest rank) of a sample; NaN when empty. */
export function percentile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil(q * s.length) - 1))] as number;
}

/**
 * Prometheus' detection delay for a threshold rule, by its model: the sample waits for the next
 * scrape (uniform over the scrape interval), then for the next rule evaluation (uniform over the
 * evaluation interval); Alertmanager then holds a new group for group_wait before notifying.
 * Sampled, so the percentiles come from the same definition as ours.
 */
export function prometheusModel(scrapeS: number, evalS: number, groupWaitS: number, n = 200_000) {
  let seed = 12345;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const delays = Array.from({ length: n }, () => (rnd() * scrapeS + rnd() * evalS + groupWaitS) * 1000);
  return { p50Ms: percentile(delays, 0.5), p99Ms: percentile(delays, 0.99) };
}
