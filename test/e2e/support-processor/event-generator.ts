import { seededRandom, type MetricEvent } from '@streammetrics/contracts';

export const seeded = seededRandom;

export type Kind = 'valid' | 'undecodable' | 'invalid';

export interface GeneratedRecord {
  partition: number;
  key: string;
  value: Buffer;
  kind: Kind;
  event?: MetricEvent;
}

export interface GeneratorOptions {
  seed: number;
  count: number;
  partitions: number;
  startTime: number;
  /** Event-time milliseconds per record in each partition (stream time advances this fast). */
  msPerRecord: number;
  outOfOrderMs: number;
  /** Fraction of records 2–4 minutes behind (late for 1m windows, fine for 5m/15m ones). */
  partlyLate: number;
  /** Fraction of records 40 minutes behind (late for every window: dead letters). */
  fullyLate: number;
  undecodable: number;
  invalid: number;
}

const SERVICES = [
  'payment-service',
  'order-service',
  'inventory-service',
  'user-service',
  'shipping-service',
  'auth-service',
  'search-service',
  'cart-service',
  'billing-service',
  'catalog-service',
  'review-service',
  'notification-service',
];
const METRICS = ['api.request.duration', 'db.query.duration', 'jvm.gc.pause'];
const ENDPOINTS = ['/api/v1/a', '/api/v1/b', '/api/v1/c', '/api/v1/d'];
const STATUS = ['200', '200', '200', '201', '404', '500'];

/**
 * A stream shaped like a fleet: many services, metrics and tag sets, out of order within grace,
 * some records late for some windows, some for all, some undecodable and some schema-invalid.
 * Values are multiples of 1/4 so that sums are exact in any order of addition.
 */
export function generate(o: GeneratorOptions): GeneratedRecord[] {
  const rnd = seeded(o.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rnd() * xs.length)] as T;
  const clock = new Array<number>(o.partitions).fill(o.startTime);
  const out: GeneratedRecord[] = [];
  for (let i = 0; i < o.count; i++) {
    const serviceIndex = Math.floor(rnd() * SERVICES.length);
    const serviceId = SERVICES[serviceIndex]!;
    const partition = serviceIndex % o.partitions;
    clock[partition] = clock[partition]! + o.msPerRecord;
    const now = clock[partition]!;
    const r = rnd();
    let timestamp = now - Math.floor(rnd() * o.outOfOrderMs);
    if (r < o.fullyLate) timestamp = now - 40 * 60_000;
    else if (r < o.fullyLate + o.partlyLate) timestamp = now - 120_000 - Math.floor(rnd() * 120_000);
    const tags: Record<string, string> =
      rnd() < 0.1 ? {} : { endpoint: pick(ENDPOINTS), status: pick(STATUS), region: pick(['eu', 'us']) };
    const event: MetricEvent = {
      eventId: `e-${o.seed}-${i}`,
      timestamp,
      serviceId,
      metricName: pick(METRICS),
      value: Math.round(Math.exp(3 + rnd() * 3) * 4) / 4,
      tags,
    };
    const k = rnd();
    if (k < o.undecodable) {
      out.push({
        partition,
        key: serviceId,
        kind: 'undecodable',
        value: Buffer.from(`{"eventId":"bad-${i}",`),
      });
    } else if (k < o.undecodable + o.invalid) {
      const bad = { ...event, eventId: `invalid-${i}`, value: 'NaN', metricName: 'has spaces' };
      out.push({ partition, key: serviceId, kind: 'invalid', value: Buffer.from(JSON.stringify(bad)) });
    } else {
      out.push({
        partition,
        key: serviceId,
        kind: 'valid',
        value: Buffer.from(JSON.stringify(event)),
        event,
      });
    }
  }
  return out;
}

/** An in-order stream with nothing late, undecodable or invalid: input every record of which counts. */
export function steadyRecords(
  o: Pick<GeneratorOptions, 'seed' | 'count' | 'partitions' | 'startTime'> & Partial<GeneratorOptions>,
): GeneratedRecord[] {
  return generate({
    msPerRecord: 60,
    outOfOrderMs: 0,
    partlyLate: 0,
    fullyLate: 0,
    undecodable: 0,
    invalid: 0,
    ...o,
  });
}
