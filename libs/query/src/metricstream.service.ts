import { ApiError } from './api-error';
import { Injectable } from '@nestjs/common';
import { TotalsFold, windowStats } from '@streammetrics/windowing';
import { ColdStoreRepository } from './cold-store.repository';
import { HotStoreRepository } from './hot-store.repository';
import type { MetricStreamQuery } from './query.dto';
import { TieredReader } from './tiered.reader';

export interface MetricStreamBucket {
  time: string;
  avg: number | null;
  max: number | null;
  min: number | null;
}

const MINUTE = 60_000;

/**
 * MetricStream's `GET /api/query` (kept so MetricStream clients work unchanged): per-minute
 * avg/max/min of a metric. Served from the 1m windows of the service-level rollup — avg is
 * sum/count over every service that reports the metric (or the one `service` names).
 */
@Injectable()
export class MetricStreamService {
  constructor(
    private readonly reader: TieredReader,
    private readonly hot: HotStoreRepository,
    private readonly cold: ColdStoreRepository,
  ) {}

  /** `only`: the services the caller's key is bound to; such a key must name one (`service`). */
  async query(
    q: MetricStreamQuery,
    only: readonly string[] | null = null,
  ): Promise<{ data: MetricStreamBucket[] }> {
    if (only !== null && !q.service) {
      throw new ApiError(403, 'FORBIDDEN', 'this API key is bound to services: name one with service=');
    }
    const from = Math.floor(q.start / MINUTE) * MINUTE;
    const to = q.end;
    const seam = Math.ceil(this.reader.seam() / MINUTE) * MINUTE;
    const buckets = new Map<number, TotalsFold>();
    const add = (b: {
      start: number;
      count: number;
      sum: number;
      min: number | null;
      max: number | null;
    }) => {
      let cur = buckets.get(b.start);
      if (!cur) buckets.set(b.start, (cur = new TotalsFold()));
      cur.add(b);
    };
    const coldPart = from < seam ? this.cold.minuteBuckets(q.name, q.service, from, Math.min(to, seam)) : [];
    const hotPart = (async () => {
      if (to <= seam) return [];
      const services = q.service ? [q.service] : (await this.hot.services()).map((s) => s.name);
      return this.hot.rollupWindowsOfServices(services, q.name, Math.max(from, seam), to - 1);
    })();
    const [c, h] = await Promise.all([coldPart, hotPart]);
    for (const b of c) add(b);
    for (const w of h) add(w);
    const data = [...buckets.entries()]
      .sort(([a], [b]) => a - b)
      .map(([start, b]) => {
        const s = windowStats(b, MINUTE, null);
        return {
          time: new Date(start).toISOString().replace('.000Z', 'Z'),
          avg: s.avg,
          max: s.max,
          min: s.min,
        };
      });
    return { data };
  }
}
