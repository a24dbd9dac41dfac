export { rankError } from '@streammetrics/tdigest/testing';

/** The exact q-quantile under the nearest-rank definition. */
export function exactQuantile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]!;
}

export function relativeValueError(sorted: Float64Array, q: number, estimate: number): number {
  const exact = exactQuantile(sorted, q);
  if (!Number.isFinite(estimate)) return Infinity;
  return exact === 0 ? Math.abs(estimate) : Math.abs(estimate - exact) / Math.abs(exact);
}
