import { TDigest } from '@streammetrics/tdigest';
import type { StoredWindow } from '../series.point';

const MINUTE = 60_000;

/**
 * A 1m window as the stores hand it out, with exact statistics and the digest of `values`; `over`
 * replaces any field (start moves end and streamTime with it unless they are given too).
 */
export function storedWindow(values: number[], over: Partial<StoredWindow> = {}): StoredWindow {
  const d = new TDigest();
  d.addMany(values);
  const sum = values.reduce((a, b) => a + b, 0);
  const start = over.start ?? 0;
  return {
    start,
    end: start + MINUTE,
    tags: {},
    count: values.length,
    sum,
    min: Math.min(...values),
    max: Math.max(...values),
    avg: sum / values.length,
    rate: values.length / 60,
    p50: d.quantile(0.5),
    p95: d.quantile(0.95),
    p99: d.quantile(0.99),
    final: true,
    streamTime: start + MINUTE,
    digest: d.toBytes(),
    tier: 'cold',
    ...over,
  };
}
