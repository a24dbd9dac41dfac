import type { WindowId } from '@streammetrics/contracts';
import { WindowOracle } from '@streammetrics/windowing/testing';

export { aggregateKey, windowKey, type WindowTotals } from '@streammetrics/windowing/testing';

/** The window whose values the reference keeps for the percentile check. */
export const PERCENTILE_WINDOW: WindowId = '1m';

/**
 * The harness's exact answer: the project's window oracle, keeping the values of the 1m tumbling
 * windows only — one window size is enough to test a digest, and it bounds the harness's memory on
 * millions of events (two numbers per event instead of twenty).
 */
export class ReferenceAggregator extends WindowOracle {
  constructor(graceMs: number) {
    super(graceMs, (id) => id === PERCENTILE_WINDOW);
  }
}
