import { setTimeout as sleep } from 'node:timers/promises';
import type { AggregateRecord, WindowId } from '@streammetrics/contracts';
import { windowSpec } from '@streammetrics/contracts';
import { TDigest } from '@streammetrics/tdigest';

/**
 * An aggregate record built from explicit values, as the processor would emit it: exact
 * count/sum/min/max, percentiles and digest from a t-digest of the same values.
 */
export function makeAggregate(opts: {
  serviceId: string;
  metricName?: string;
  tags?: Record<string, string>;
  window?: WindowId;
  start: number;
  values: number[];
  final?: boolean;
  streamTime?: number;
  emittedAt?: number;
}): AggregateRecord {
  const spec = windowSpec(opts.window ?? '1m');
  const d = new TDigest();
  d.addMany(opts.values);
  let sum = 0;
  for (const v of opts.values) sum += v;
  const [p50, p95, p99] = d.quantiles([0.5, 0.95, 0.99]) as [number, number, number];
  const end = opts.start + spec.sizeMs;
  return {
    serviceId: opts.serviceId,
    metricName: opts.metricName ?? 'api.request.duration',
    tags: opts.tags ?? {},
    window: { type: spec.type, size: spec.size, start: opts.start, end },
    count: opts.values.length,
    sum,
    min: d.min,
    max: d.max,
    avg: sum / opts.values.length,
    rate: opts.values.length / (spec.sizeMs / 1000),
    p50,
    p95,
    p99,
    digest: d.toBase64(),
    final: opts.final ?? true,
    streamTime: opts.streamTime ?? end + 10_000,
    emittedAt: opts.emittedAt ?? end + 10_100,
  };
}

/** Deterministic pseudo-random values (mulberry32), so a test's expected rows are reproducible. */
export function seededValues(seed: number, n: number, scale = 500): number[] {
  let a = seed >>> 0;
  const out: number[] = [];
  for (let i = 0; i < n; i++) {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    out.push(Math.round((((t ^ (t >>> 14)) >>> 0) / 4294967296) * scale * 100) / 100);
  }
  return out;
}

export async function waitFor<T>(
  probe: () => Promise<T | undefined | false>,
  opts: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + (opts.timeoutMs ?? 30_000);
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${opts.what ?? 'condition'}`);
    await sleep(opts.intervalMs ?? 200);
  }
}
