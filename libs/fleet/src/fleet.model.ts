import { SeededRandom } from './fleet.random';

/** One HTTP route of a simulated service. */
export interface Endpoint {
  path: string;
  method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Median latency of a successful call, ms. */
  medianMs: number;
  /** Lognormal shape: 0.3 tight, 0.8 wide. */
  sigma: number;
  /** Share of the service's traffic. */
  weight: number;
}

export interface Instance {
  instanceId: string;
  region: string;
}

/** A Spring-Boot-shaped microservice: pods, routes, a business counter and a JVM. */
export interface ServiceModel {
  serviceId: string;
  instances: Instance[];
  endpoints: Endpoint[];
  /** Cumulative endpoint weights, for SeededRandom.weighted. */
  endpointCumulative: number[];
  /** Name of the domain counter the service increments (orders.created, payments.processed, ...). */
  businessCounter: string;
  /** Share of the fleet's traffic (Zipf-like: a few services dominate, as in real fleets). */
  weight: number;
  /** Heap size of each pod, bytes. */
  heapMaxBytes: number;
}

export const REGIONS = ['us-east-1', 'eu-west-1', 'ap-southeast-1'] as const;

const DOMAINS: readonly { name: string; resource: string; counter: string; medianMs: number }[] = [
  { name: 'payment-service', resource: 'payments', counter: 'payments.processed', medianMs: 180 },
  { name: 'order-service', resource: 'orders', counter: 'orders.created', medianMs: 90 },
  { name: 'inventory-service', resource: 'inventory', counter: 'inventory.reserved', medianMs: 35 },
  { name: 'user-service', resource: 'users', counter: 'users.logins', medianMs: 25 },
  { name: 'shipping-service', resource: 'shipments', counter: 'shipments.dispatched', medianMs: 120 },
  { name: 'notification-service', resource: 'notifications', counter: 'notifications.sent', medianMs: 60 },
  { name: 'catalog-service', resource: 'products', counter: 'products.viewed', medianMs: 20 },
  { name: 'cart-service', resource: 'carts', counter: 'carts.updated', medianMs: 15 },
  { name: 'auth-service', resource: 'tokens', counter: 'tokens.issued', medianMs: 30 },
  { name: 'search-service', resource: 'search', counter: 'search.queries', medianMs: 75 },
  {
    name: 'recommendation-service',
    resource: 'recommendations',
    counter: 'recommendations.served',
    medianMs: 140,
  },
  { name: 'pricing-service', resource: 'prices', counter: 'prices.quoted', medianMs: 40 },
  { name: 'review-service', resource: 'reviews', counter: 'reviews.posted', medianMs: 50 },
  { name: 'billing-service', resource: 'invoices', counter: 'invoices.issued', medianMs: 160 },
  { name: 'fraud-service', resource: 'checks', counter: 'fraud.checks', medianMs: 110 },
  { name: 'loyalty-service', resource: 'rewards', counter: 'rewards.granted', medianMs: 45 },
];

const ROUTES: readonly { suffix: string; method: Endpoint['method']; factor: number; weight: number }[] = [
  { suffix: '', method: 'GET', factor: 0.6, weight: 40 },
  { suffix: '/{id}', method: 'GET', factor: 0.4, weight: 30 },
  { suffix: '', method: 'POST', factor: 1.5, weight: 15 },
  { suffix: '/{id}', method: 'PUT', factor: 1.2, weight: 8 },
  { suffix: '/{id}', method: 'DELETE', factor: 0.8, weight: 4 },
  { suffix: '/search', method: 'GET', factor: 2.0, weight: 3 },
];

/**
 * Builds `count` services. The first 16 are named after familiar domains; beyond that names repeat
 * with a numeric suffix (payment-service-2). Pod counts, routes and weights come from the seed, so
 * the same seed describes the same fleet.
 */
export function buildFleet(count: number, seed: number): ServiceModel[] {
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`services must be >= 1, got ${count}`);
  const rng = new SeededRandom(seed ^ 0x5eed_f1ee);
  const fleet: ServiceModel[] = [];
  for (let i = 0; i < count; i++) {
    const domain = DOMAINS[i % DOMAINS.length] as (typeof DOMAINS)[number];
    const round = Math.floor(i / DOMAINS.length);
    const serviceId = round === 0 ? domain.name : `${domain.name}-${round + 1}`;
    const pods = 2 + rng.int(4);
    const instances: Instance[] = [];
    for (let p = 0; p < pods; p++) {
      instances.push({ instanceId: `${serviceId}-pod-${p}`, region: REGIONS[p % REGIONS.length] as string });
    }
    const routeCount = 3 + rng.int(ROUTES.length - 2);
    const endpoints: Endpoint[] = ROUTES.slice(0, routeCount).map((r) => ({
      path: `/api/v1/${domain.resource}${r.suffix}`,
      method: r.method,
      medianMs: domain.medianMs * r.factor * rng.between(0.8, 1.25),
      sigma: rng.between(0.35, 0.7),
      weight: r.weight,
    }));
    const endpointCumulative: number[] = [];
    let acc = 0;
    for (const e of endpoints) endpointCumulative.push((acc += e.weight));
    fleet.push({
      serviceId,
      instances,
      endpoints,
      endpointCumulative,
      businessCounter: domain.counter,
      weight: 1 / (i + 1) ** 0.6,
      heapMaxBytes: (512 + 256 * rng.int(7)) * 1024 * 1024,
    });
  }
  return fleet;
}
