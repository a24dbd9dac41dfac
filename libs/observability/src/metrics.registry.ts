import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** One registry per app, with the process metrics (CPU, RSS, event-loop lag, GC) every app exposes. */
export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/** Small helpers so services declare metrics in one line against the app's registry. */
export const metric = {
  counter: <L extends string>(r: Registry, name: string, help: string, labelNames: L[] = []) =>
    new Counter<L>({ name, help, labelNames, registers: [r] }),
  gauge: <L extends string>(r: Registry, name: string, help: string, labelNames: L[] = []) =>
    new Gauge<L>({ name, help, labelNames, registers: [r] }),
  histogram: <L extends string>(
    r: Registry,
    name: string,
    help: string,
    buckets: number[],
    labelNames: L[] = [],
  ) => new Histogram<L>({ name, help, buckets, labelNames, registers: [r] }),
};
