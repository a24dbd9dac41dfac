import { SLICE_MS, WINDOW_SPECS, type WindowSpec } from '@streammetrics/contracts';

export interface WindowingOptions {
  /** A window accepts records while stream time < window end + grace. */
  graceMs: number;
  /** Interim updates of one window are emitted at most once per this many wall-clock ms. */
  emitIntervalMs: number;
  /**
   * Interim updates handed out by one collect(), at most; the rest wait for the next. A burst of new
   * series (100,000 at once is ~900,000 windows) would otherwise put every first update into one
   * transaction: gigabytes of records in memory, and a transaction that can outlive its timeout and
   * be retried the same way forever. Finals are never held back.
   */
  maxUpdatesPerCollect?: number;
  /** Distinct tag sets per (serviceId, metricName) before new ones fold into the overflow series. */
  maxTagSetsPerMetric: number;
  /**
   * Distinct series of one partition, all services and metrics together, before events of new
   * series fold into the partition's overflow series (OVERFLOW_SERVICE): bounds the state that
   * input bypassing the gateway's per-key budget (straight to Kafka) can build up.
   */
  maxSeriesPerPartition?: number;
  /** Wall-clock ms without events after which tick() advances stream time; 0 = never. */
  idleTimeoutMs: number;
  /** t-digest compression of slice and window digests. */
  compression?: number;
  windows?: readonly WindowSpec[];
}

export const DEFAULT_WINDOWING_OPTIONS: Readonly<Required<WindowingOptions>> = Object.freeze({
  graceMs: 10_000,
  emitIntervalMs: 1_000,
  maxUpdatesPerCollect: 20_000,
  maxTagSetsPerMetric: 1_000,
  maxSeriesPerPartition: 50_000,
  idleTimeoutMs: 30_000,
  compression: 100,
  windows: WINDOW_SPECS,
});

/**
 * Fills defaults and rejects settings the engine cannot honour. Slicing only works when every
 * hop is a multiple of the slice and every size a multiple of its hop, so that is checked here
 * rather than producing subtly wrong windows later.
 */
export function resolveWindowingOptions(opts: Partial<WindowingOptions>): Required<WindowingOptions> {
  const o = { ...DEFAULT_WINDOWING_OPTIONS, ...stripUndefined(opts) };
  const problems: string[] = [];
  const nonNegativeInt = (name: keyof WindowingOptions, v: number) => {
    if (!Number.isSafeInteger(v) || v < 0) problems.push(`${name} must be a non-negative integer, got ${v}`);
  };
  nonNegativeInt('graceMs', o.graceMs);
  nonNegativeInt('emitIntervalMs', o.emitIntervalMs);
  if (!Number.isSafeInteger(o.maxUpdatesPerCollect) || o.maxUpdatesPerCollect < 1) {
    problems.push(`maxUpdatesPerCollect must be a positive integer, got ${o.maxUpdatesPerCollect}`);
  }
  nonNegativeInt('maxTagSetsPerMetric', o.maxTagSetsPerMetric);
  nonNegativeInt('maxSeriesPerPartition', o.maxSeriesPerPartition);
  nonNegativeInt('idleTimeoutMs', o.idleTimeoutMs);
  if (!(o.compression >= 10 && o.compression <= 10_000)) {
    problems.push(`compression must be within [10, 10000], got ${o.compression}`);
  }
  if (o.windows.length === 0) problems.push('windows must not be empty');
  const ids = new Set<string>();
  for (const w of o.windows) {
    if (ids.has(w.id)) problems.push(`window ${w.id} is listed twice`);
    ids.add(w.id);
    if (!(w.advanceMs > 0) || w.advanceMs % SLICE_MS !== 0) {
      problems.push(`window ${w.id}: advanceMs ${w.advanceMs} is not a positive multiple of ${SLICE_MS}`);
    }
    if (!(w.sizeMs >= w.advanceMs) || w.sizeMs % w.advanceMs !== 0) {
      problems.push(`window ${w.id}: sizeMs ${w.sizeMs} is not a multiple of advanceMs ${w.advanceMs}`);
    }
  }
  if (problems.length > 0) throw new RangeError(`invalid windowing options: ${problems.join('; ')}`);
  return o;
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
