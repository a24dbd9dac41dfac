import { createHash } from 'node:crypto';
import type { MetricEvent } from '@streammetrics/contracts';
import { FleetGenerator } from '@streammetrics/fleet';

/** The fleet's events, stamped with a simulated clock so every run yields the same bytes. */
export function generateEvents(count: number, seed = 42): MetricEvent[] {
  const gen = new FleetGenerator({ services: 20, seed });
  const t0 = Date.UTC(2026, 0, 1);
  const out: MetricEvent[] = [];
  for (let i = 0; i < count; i++) out.push(gen.next(t0 + i * 5));
  return out;
}

/** JSON with object keys sorted, so equal events give equal text whatever their key order. */
function canonical(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  const o = v as Record<string, unknown>;
  return `{${Object.keys(o)
    .filter((k) => o[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(o[k])}`)
    .join(',')}}`;
}

/** Order-sensitive digest of a stream of events: equal digests mean equal events in equal order. */
export class EventDigest {
  private readonly hash = createHash('sha256');
  count = 0;
  sum = 0;

  add(event: unknown): void {
    this.hash.update(canonical(event));
    this.hash.update('\n');
    this.count++;
    this.sum += (event as { value: number }).value;
  }

  hex(): string {
    return this.hash.digest('hex');
  }
}
