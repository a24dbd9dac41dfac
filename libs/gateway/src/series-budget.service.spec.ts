import { Registry } from 'prom-client';
import type { ApiKeyIdentity } from '@streammetrics/auth';
import type { MetricEvent } from '@streammetrics/contracts';
import { GatewayMetrics } from './gateway.metrics';
import type { GatewayOptions } from './gateway.options';
import type { RateLimitRepository } from './rate-limit.repository';
import { SeriesBudgetService, seriesIdOf } from './series-budget.service';

const HOUR = 3_600_000;
const key: ApiKeyIdentity = {
  id: 'k1',
  name: 'k1',
  clientId: 'c',
  scopes: ['ingest'],
  ratePerSecond: null,
  services: null,
};
const event = (metricName: string): MetricEvent => ({
  eventId: `e-${metricName}`,
  timestamp: 0,
  serviceId: 'svc',
  metricName,
  value: 1,
  tags: { region: 'eu' },
});

/** The Redis set of the budget, as the Lua script keeps it: admits while size + fresh <= max. */
class FakeBudgetStore {
  readonly sets = new Map<string, Set<string>>();
  readonly calls: string[][] = [];
  down = false;
  admitSeries = (k: string, max: number, _ttl: number, series: string[]) => {
    if (this.down) return Promise.reject(new Error('Redis down'));
    this.calls.push(series);
    const set = this.sets.get(k) ?? new Set<string>();
    const fresh = series.filter((s) => !set.has(s));
    if (set.size + fresh.length > max)
      return Promise.resolve({ admitted: false, size: set.size, fresh: fresh.length });
    for (const s of fresh) set.add(s);
    this.sets.set(k, set);
    return Promise.resolve({ admitted: true, size: set.size, fresh: fresh.length });
  };
}

function service(store: FakeBudgetStore, clock: { t: number }, max = 3) {
  const opts = { maxSeriesPerKey: max, rateLimitFallback: 'local' } as GatewayOptions;
  return new SeriesBudgetService(
    store as unknown as RateLimitRepository,
    new GatewayMetrics(new Registry()),
    opts,
    { now: () => clock.t },
  );
}

describe('SeriesBudgetService', () => {
  it('asks Redis only for series this replica has not seen admitted in this hour', async () => {
    const store = new FakeBudgetStore();
    const clock = { t: 10 * HOUR };
    const budget = service(store, clock);
    await budget.admit(key, [event('a'), event('b')]);
    await budget.admit(key, [event('a'), event('b')]);
    await budget.admit(key, [event('b'), event('c')]);
    expect(store.calls).toEqual([[seriesIdOf(event('a')), seriesIdOf(event('b'))], [seriesIdOf(event('c'))]]);
  });

  it('still refuses a series beyond the budget, and asks again once the hour turns', async () => {
    const store = new FakeBudgetStore();
    const clock = { t: 10 * HOUR };
    const budget = service(store, clock, 2);
    await budget.admit(key, [event('a'), event('b')]);
    await expect(budget.admit(key, [event('c')])).rejects.toMatchObject({ code: 'SERIES_BUDGET_EXCEEDED' });
    await budget.admit(key, [event('a')]);
    expect(store.calls).toHaveLength(2);

    clock.t += HOUR;
    await budget.admit(key, [event('a')]);
    expect(store.calls).toHaveLength(3);
  });

  it('remembers nothing admitted by the fallback while Redis is down', async () => {
    const store = new FakeBudgetStore();
    const clock = { t: 10 * HOUR };
    const budget = service(store, clock);
    store.down = true;
    await budget.admit(key, [event('a')]);
    store.down = false;
    await budget.admit(key, [event('a')]);
    expect(store.calls).toEqual([[seriesIdOf(event('a'))]]);
  });
});
