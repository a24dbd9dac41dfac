import type { MetricEvent } from '@streammetrics/contracts';
import { buildFleet, type ServiceModel } from './fleet.model';
import { SeededRandom } from './fleet.random';

export interface GeneratorOptions {
  services: number;
  seed: number;
  /** Share of events stamped later than the grace allows (the processor dead-letters or partially counts them). */
  lateFraction: number;
  /** Share of events stamped a little in the past, but within the grace period. */
  outOfOrderFraction: number;
  /** The processor's grace; late events are pushed beyond it, out-of-order ones stay within it. */
  graceMs: number;
}

export const DEFAULT_GENERATOR_OPTIONS: GeneratorOptions = {
  services: 20,
  seed: 42,
  lateFraction: 0,
  outOfOrderFraction: 0,
  graceMs: 10_000,
};

export const REQUEST_METRIC = 'api.request.duration';
export const HEAP_METRIC = 'jvm.memory.heap.used';
export const GC_METRIC = 'jvm.gc.pause';

// Shares of the event mix: mostly request timings, as a Micrometer-instrumented service emits.
const REQUEST_SHARE = 0.85;
const JVM_SHARE = 0.07;
// Error bursts: a rare incident flips a service into a state where many calls fail and slow down.
const BURST_START_P = 0.0004;
const BURST_LENGTH = [200, 1500] as const;
const BURST_ERROR_P = 0.3;
const BASE_SERVER_ERROR_P = 0.004;
const CLIENT_ERROR_P = 0.03;
const SLOW_TAIL_P = 0.01;

interface ServiceState {
  burstLeft: number;
  heapFraction: number[];
}

/**
 * Produces the fleet's events one by one. Every random draw comes from one seeded stream and
 * does not depend on the timestamps passed in, so the same seed yields the same events (eventIds
 * included) whether they are stamped with the wall clock or with a simulated clock.
 */
export class FleetGenerator {
  readonly fleet: ServiceModel[];
  private readonly rng: SeededRandom;
  private readonly opts: GeneratorOptions;
  private readonly serviceCumulative: number[];
  private readonly state: ServiceState[];
  private produced = 0;

  constructor(opts: Partial<GeneratorOptions> = {}) {
    this.opts = { ...DEFAULT_GENERATOR_OPTIONS, ...opts };
    const o = this.opts;
    for (const [name, p] of [
      ['lateFraction', o.lateFraction],
      ['outOfOrderFraction', o.outOfOrderFraction],
    ] as const) {
      if (!(p >= 0 && p <= 1)) throw new RangeError(`${name} must be within [0, 1], got ${p}`);
    }
    if (o.lateFraction + o.outOfOrderFraction > 1) throw new RangeError('late + out-of-order exceed 1');
    this.fleet = buildFleet(o.services, o.seed);
    this.rng = new SeededRandom(o.seed);
    let acc = 0;
    this.serviceCumulative = this.fleet.map((s) => (acc += s.weight));
    this.state = this.fleet.map((s) => ({ burstLeft: 0, heapFraction: s.instances.map(() => 0.4) }));
  }

  get count(): number {
    return this.produced;
  }

  /** The next event, nominally happening at `now` (epoch ms); lateness and disorder shift it back. */
  next(now: number): MetricEvent {
    const rng = this.rng;
    const si = rng.weighted(this.serviceCumulative);
    const service = this.fleet[si]!;
    const state = this.state[si]!;
    const ii = rng.int(service.instances.length);
    const instance = service.instances[ii]!;
    const eventId = rng.uuid();
    const timestamp = this.stamp(now);
    const kind = rng.next();
    this.produced++;

    const base = { eventId, timestamp, serviceId: service.serviceId, instanceId: instance.instanceId };
    if (kind < REQUEST_SHARE) {
      const endpoint = service.endpoints[rng.weighted(service.endpointCumulative)]!;
      if (state.burstLeft > 0) state.burstLeft--;
      else if (rng.chance(BURST_START_P)) state.burstLeft = Math.round(rng.between(...BURST_LENGTH));
      const inBurst = state.burstLeft > 0;
      let status: number;
      const e = rng.next();
      if (e < (inBurst ? BURST_ERROR_P : BASE_SERVER_ERROR_P)) status = rng.chance(0.7) ? 500 : 503;
      else if (e < (inBurst ? BURST_ERROR_P : BASE_SERVER_ERROR_P) + CLIENT_ERROR_P) {
        status = rng.chance(0.6) ? 404 : 400;
      } else status = endpoint.method === 'POST' ? 201 : 200;
      let ms = rng.lognormal(endpoint.medianMs * (inBurst ? 3 : 1), endpoint.sigma);
      if (rng.chance(SLOW_TAIL_P)) ms *= rng.between(5, 30);
      if (status === 503) ms = Math.max(ms, 1000 + rng.between(0, 4000)); // upstream timeouts
      return {
        ...base,
        metricType: 'HTTP_REQUEST',
        metricName: REQUEST_METRIC,
        value: round2(ms),
        unit: 'milliseconds',
        tags: {
          endpoint: endpoint.path,
          method: endpoint.method,
          statusCode: String(status),
          region: instance.region,
        },
        metadata: { traceId: hex(rng, 4), spanId: hex(rng, 2) },
      };
    }
    if (kind < REQUEST_SHARE + JVM_SHARE) {
      const tags = { region: instance.region, instance: instance.instanceId };
      if (rng.chance(0.5)) {
        // Heap: a sawtooth that grows until a collection drops it back.
        const f = state.heapFraction;
        let h = f[ii]! + rng.between(0, 0.05);
        if (h > 0.85) h = 0.25 + rng.between(0, 0.1);
        f[ii] = h;
        return {
          ...base,
          metricType: 'GAUGE',
          metricName: HEAP_METRIC,
          value: Math.round(h * service.heapMaxBytes),
          unit: 'bytes',
          tags: { ...tags, area: 'heap' },
        };
      }
      const major = rng.chance(0.05);
      return {
        ...base,
        metricType: 'TIMER',
        metricName: GC_METRIC,
        value: round2(major ? rng.lognormal(180, 0.5) : rng.lognormal(8, 0.6)),
        unit: 'milliseconds',
        tags: { ...tags, gc: major ? 'G1 Old Generation' : 'G1 Young Generation' },
      };
    }
    return {
      ...base,
      metricType: 'COUNTER',
      metricName: service.businessCounter,
      value: 1 + rng.int(5),
      unit: 'count',
      tags: { region: instance.region },
    };
  }

  private stamp(now: number): number {
    const { lateFraction, outOfOrderFraction, graceMs } = this.opts;
    const r = this.rng.next();
    if (r < lateFraction) {
      // The earliest-closing window containing a timestamp ends at most one 10 s hop after it, so
      // grace + 10 s behind is late for at least that window. Most late events still fit their
      // 5m/15m windows (partially late); one in five misses every window (dead-lettered).
      const behind = this.rng.chance(0.2)
        ? this.rng.between(960_000, 1_800_000)
        : this.rng.between(10_000, 150_000);
      return Math.round(now - graceMs - behind);
    }
    if (r < lateFraction + outOfOrderFraction) {
      return Math.round(now - this.rng.between(0, graceMs * 0.8));
    }
    return Math.round(now);
  }
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

function hex(rng: SeededRandom, words: number): string {
  let s = '';
  for (let i = 0; i < words; i++) s += rng.uint32().toString(16).padStart(8, '0');
  return s;
}
