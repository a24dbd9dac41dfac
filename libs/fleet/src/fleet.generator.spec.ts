import { metricEventSchema } from '@streammetrics/contracts';
import { FleetGenerator, GC_METRIC, HEAP_METRIC, REQUEST_METRIC } from './fleet.generator';
import { SeededRandom } from './fleet.random';

const T0 = Date.UTC(2024, 1, 7, 0, 0, 0);

function take(gen: FleetGenerator, n: number, step = 1) {
  return Array.from({ length: n }, (_, i) => gen.next(T0 + i * step));
}

describe('FleetGenerator', () => {
  it('is reproducible: the same seed gives the same events, eventIds included', () => {
    const a = take(new FleetGenerator({ seed: 7, lateFraction: 0.01, outOfOrderFraction: 0.05 }), 5000);
    const b = take(new FleetGenerator({ seed: 7, lateFraction: 0.01, outOfOrderFraction: 0.05 }), 5000);
    expect(b).toEqual(a);
    const c = take(new FleetGenerator({ seed: 8, lateFraction: 0.01, outOfOrderFraction: 0.05 }), 50);
    expect(c.map((e) => e.eventId)).not.toEqual(a.slice(0, 50).map((e) => e.eventId));
  });

  it('draws the same values whatever clock stamps them', () => {
    const live = new FleetGenerator({ seed: 3 });
    const backfill = new FleetGenerator({ seed: 3 });
    for (let i = 0; i < 1000; i++) {
      const x = live.next(Date.now());
      const y = backfill.next(T0 + i);
      expect({ ...x, timestamp: 0 }).toEqual({ ...y, timestamp: 0 });
    }
  });

  it('emits events that satisfy the design schema, with unique ids', () => {
    const events = take(new FleetGenerator({ seed: 1, services: 40 }), 4_000);
    const name = new RegExp(metricEventSchema.properties.serviceId.pattern);
    expect(new Set(events.map((e) => e.eventId)).size).toBe(events.length);
    for (const e of events) {
      expect(e.eventId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(e.serviceId).toMatch(name);
      expect(e.metricName).toMatch(name);
      expect(Number.isFinite(e.value) && Math.abs(e.value) <= 1e15).toBe(true);
      expect(Number.isInteger(e.timestamp)).toBe(true);
      expect(Object.keys(e.tags).length).toBeLessThanOrEqual(32);
    }
    expect(new Set(events.map((e) => e.serviceId)).size).toBe(40);
  });

  it('has a lognormal request body, a slow tail, mostly successes and some errors', () => {
    const events = take(new FleetGenerator({ seed: 11 }), 100_000);
    const requests = events.filter((e) => e.metricName === REQUEST_METRIC);
    expect(requests.length / events.length).toBeGreaterThan(0.8);
    expect(requests.length / events.length).toBeLessThan(0.9);
    expect(events.some((e) => e.metricName === HEAP_METRIC)).toBe(true);
    expect(events.some((e) => e.metricName === GC_METRIC)).toBe(true);
    expect(events.some((e) => e.metricType === 'COUNTER')).toBe(true);

    const ms = requests.map((e) => e.value).sort((x, y) => x - y);
    const q = (p: number) => ms[Math.floor(p * (ms.length - 1))] as number;
    expect(q(0.5)).toBeGreaterThan(10);
    expect(q(0.5)).toBeLessThan(300);
    // A heavy tail: p99 many times the median, p99.9 further out still.
    expect(q(0.99) / q(0.5)).toBeGreaterThan(4);
    expect(q(0.999)).toBeGreaterThan(q(0.99));
    const status = (s: string) =>
      requests.filter((e) => e.tags.statusCode?.startsWith(s)).length / requests.length;
    expect(status('2')).toBeGreaterThan(0.85);
    expect(status('4')).toBeGreaterThan(0.01);
    expect(status('5')).toBeGreaterThan(0.001);
    expect(status('5')).toBeLessThan(0.1);
  });

  it('spreads traffic unevenly over services, each with a bounded number of tag sets', () => {
    const events = take(new FleetGenerator({ seed: 5, services: 20 }), 100_000);
    const perService = new Map<string, number>();
    const tagSets = new Map<string, Set<string>>();
    for (const e of events) {
      perService.set(e.serviceId, (perService.get(e.serviceId) ?? 0) + 1);
      const k = `${e.serviceId}|${e.metricName}`;
      if (!tagSets.has(k)) tagSets.set(k, new Set());
      tagSets.get(k)?.add(JSON.stringify(e.tags));
    }
    const counts = [...perService.values()].sort((a, b) => b - a);
    expect((counts[0] as number) / (counts[counts.length - 1] as number)).toBeGreaterThan(2);
    for (const s of tagSets.values()) expect(s.size).toBeLessThan(1000);
  });

  it('places late events beyond the grace and out-of-order ones within it', () => {
    const grace = 10_000;
    const gen = new FleetGenerator({ seed: 9, lateFraction: 0.02, outOfOrderFraction: 0.1, graceMs: grace });
    const n = 50_000;
    let late = 0;
    let disordered = 0;
    for (let i = 0; i < n; i++) {
      const now = T0 + i * 10;
      const behind = now - gen.next(now).timestamp;
      expect(behind).toBeGreaterThanOrEqual(0);
      if (behind >= grace + 10_000) late++;
      else if (behind > 0) {
        expect(behind).toBeLessThan(grace);
        disordered++;
      }
    }
    expect(late / n).toBeGreaterThan(0.01);
    expect(late / n).toBeLessThan(0.03);
    expect(disordered / n).toBeGreaterThan(0.08);
    expect(disordered / n).toBeLessThan(0.12);
  });

  it('rejects fractions outside [0, 1]', () => {
    expect(() => new FleetGenerator({ lateFraction: -0.1 })).toThrow(RangeError);
    expect(() => new FleetGenerator({ lateFraction: 0.6, outOfOrderFraction: 0.6 })).toThrow(RangeError);
  });
});

describe('SeededRandom', () => {
  it('gives a standard normal with mean ~0 and sd ~1', () => {
    const r = new SeededRandom(123);
    let s = 0;
    let s2 = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const x = r.normal();
      s += x;
      s2 += x * x;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(Math.sqrt(s2 / n) - 1)).toBeLessThan(0.02);
  });
});
