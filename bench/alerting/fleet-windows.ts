import { canonicalTags, tagsKey, type AggregateRecord } from '@streammetrics/contracts';
import type { AlertRule, AlertRuleSpec } from '@streammetrics/contracts/api';
import { FleetGenerator } from '@streammetrics/fleet';
import { TDigest } from '@streammetrics/tdigest';

const M = 60_000;

/**
 * The fleet's 1m window results, as the processor emits them (finals, per tag set and the
 * service-level series): `minutes` minutes of the simulated fleet at `rate` events/s.
 */
export function fleetWindows(minutes: number, rate: number, start: number): AggregateRecord[] {
  const gen = new FleetGenerator({ seed: 42 });
  const groups = new Map<string, { r: Omit<AggregateRecord, 'count'>; d: TDigest; values: number[] }>();
  const total = minutes * 60 * rate;
  for (let i = 0; i < total; i++) {
    const e = gen.next(start + Math.floor((i * 1000) / rate));
    const windowStart = Math.floor(e.timestamp / M) * M;
    for (const tags of [canonicalTags(e.tags), {}]) {
      const k = `${e.serviceId}|${e.metricName}|${tagsKey(tags)}|${windowStart}`;
      let g = groups.get(k);
      if (!g) {
        g = {
          r: {
            serviceId: e.serviceId,
            metricName: e.metricName,
            tags,
            window: { type: 'tumbling', size: '1m', start: windowStart, end: windowStart + M },
          } as Omit<AggregateRecord, 'count'>,
          d: new TDigest(),
          values: [],
        };
        groups.set(k, g);
      }
      g.values.push(e.value);
    }
  }
  return [...groups.values()]
    .map(({ r, d, values }) => {
      d.addMany(values);
      const sum = values.reduce((a, b) => a + b, 0);
      const [p50, p95, p99] = d.quantiles([0.5, 0.95, 0.99]) as [number, number, number];
      return {
        ...r,
        count: values.length,
        sum,
        min: d.min,
        max: d.max,
        avg: sum / values.length,
        rate: values.length / 60,
        p50,
        p95,
        p99,
        digest: d.toBase64(),
        final: true,
        streamTime: r.window.end + 10_000,
        emittedAt: r.window.end + 10_000,
      } as AggregateRecord;
    })
    .sort((a, b) => a.window.end - b.window.end);
}

const STATS = ['p99', 'p95', 'avg', 'max', 'count', 'q0.999'];

/**
 * `n` rules over the fleet's series, as teams write them: most name a service and a metric (half
 * on the service-level series, half fanning out per endpoint), a tenth watch every service.
 * Thresholds are drawn so that some fire.
 */
export function fleetRules(n: number, records: readonly AggregateRecord[], receiver: string): AlertRule[] {
  const services = [...new Set(records.map((r) => r.serviceId))].sort();
  const metrics = [...new Set(records.map((r) => r.metricName))].sort();
  let seed = 7;
  const rnd = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  return Array.from({ length: n }, (_, i) => {
    const spec: AlertRuleSpec = {
      name: `bench-rule-${i}`,
      ...(rnd() < 0.1 ? {} : { service: services[Math.floor(rnd() * services.length)] }),
      metric: metrics[Math.floor(rnd() * metrics.length)],
      ...(rnd() < 0.5 ? {} : { tags: { endpoint: '' } }),
      window: '1m',
      stat: STATS[i % STATS.length] as string,
      op: '>',
      threshold: Math.round(50 + rnd() * 5_000),
      annotations: { summary: '{{service}} {{stat}} {{value}}' },
      receivers: [receiver],
    };
    return { ...spec, id: `bench-${i}`, source: 'api', createdAt: '', updatedAt: '' };
  });
}
