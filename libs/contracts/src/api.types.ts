/**
 * The contract types the query API sends to its clients, the browser dashboard among them. Types
 * only: no runtime code and nothing from Node, so the dashboard's own typecheck (browser lib, no
 * Node types) can import them with `import type` and its bundle stays free of server code.
 */
import type { FilledWindowStats } from './stats';
import type { WindowId, WindowSpec } from './windows';

export type { RollupId, WindowId, WindowSpec } from './windows';
export type { ValidationProblem } from './validation-problem';
export type { Stat, WindowStats } from './stats';
export type { ErrorBody, ErrorProblem } from './error-body';
export type * from './alert.types';

/** One window result on a `metrics-aggregated-*` topic (docs/CONTRACTS.md "The aggregate record"), v1. */
export interface AggregateRecord extends FilledWindowStats {
  serviceId: string;
  metricName: string;
  /** Canonical tag set of the series; {} for the service-level rollup. */
  tags: Record<string, string>;
  window: { type: WindowSpec['type']; size: WindowSpec['size']; start: number; end: number };
  /** Base64 of the binary t-digest (libs/tdigest encoding). */
  digest: string;
  final: boolean;
  streamTime: number;
  emittedAt: number;
}

export type EmitKind = 'update' | 'final';

/** A pub/sub message: the record without its digest (subscribers chart numbers, not sketches). */
export interface HotUpdate {
  window: WindowId;
  emit: EmitKind;
  record: Omit<AggregateRecord, 'digest'>;
}

/** One dead letter as the dashboard lists it. */
export interface DeadLetterSummary {
  reason: string;
  error: string;
  sourceTopic: string;
  sourcePartition: number;
  sourceOffset: string;
  time: number;
  key: string | null;
  /** The first 300 characters of the original value. */
  valuePreview: string;
}
