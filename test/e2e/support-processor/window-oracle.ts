import { keyParts, WindowOracle, type WindowTotals } from '@streammetrics/windowing/testing';
import type { GeneratedRecord } from './event-generator';

export { aggregateKey, keyParts, windowKey } from '@streammetrics/windowing/testing';
export { rankError } from '@streammetrics/tdigest/testing';

/** A closed window with every value (the specs check the percentiles of every window size). */
export type ExactWindow = WindowTotals & { values: number[] };

export interface OracleResult {
  /** Closed windows by windowKey. */
  windows: Map<string, ExactWindow>;
  /** eventIds / values expected on the dead-letter topic with their reason. */
  deadLetters: Map<string, string>;
}

/**
 * What the processor must produce from generated records: the window oracle's closed windows
 * (`excludeMetric`, the flush markers, left out) and a dead letter with its reason for every
 * record that is undecodable, breaks the schema, or that no window accepts.
 */
export function exactWindows(
  records: GeneratedRecord[],
  graceMs: number,
  excludeMetric: string,
): OracleResult {
  const oracle = new WindowOracle(graceMs);
  const deadLetters = new Map<string, string>();
  for (const r of records) {
    const dlqKey = r.value.toString();
    if (r.kind === 'undecodable') deadLetters.set(dlqKey, 'UNDECODABLE');
    else if (r.kind === 'invalid') deadLetters.set(dlqKey, 'SCHEMA_VIOLATION');
    else if (!r.event) throw new Error(`generated ${r.kind} record without its event`);
    else if (!oracle.add(r.partition, r.event)) deadLetters.set(dlqKey, 'LATE_EVENT');
  }
  const windows = new Map<string, ExactWindow>();
  for (const [k, w] of oracle.finals()) {
    if (keyParts(k).metricName !== excludeMetric) windows.set(k, { ...w, values: w.values ?? [] });
  }
  return { windows, deadLetters };
}
