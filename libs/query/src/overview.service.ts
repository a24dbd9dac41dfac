import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from '@streammetrics/contracts';
import { HotStoreRepository } from './hot-store.repository';
import { combinedStats } from './series.point';
import type { MetricOverview, OverviewResponse } from './api.dto';
export type { MetricOverview, ServiceOverview } from './api.dto';

const MINUTE = 60_000;
const SPARK_MINUTES = 30;
const STATUS_KEYS = ['statusCode', 'status', 'status_code', 'http.status_code'];

export function isErrorTagSet(tags: Record<string, string>): boolean {
  for (const k of STATUS_KEYS) {
    const v = tags[k];
    if (v !== undefined && Number(v) >= 500) return true;
  }
  return tags.error === 'true' || tags.outcome === 'error' || tags.outcome === 'failure';
}

/** The dashboard's services overview, computed from the hot tier in one pipelined read per metric. */
@Injectable()
export class OverviewService {
  constructor(
    private readonly hot: HotStoreRepository,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  /** `only`: the services the caller's key is bound to (null = every service). */
  async overview(only: readonly string[] | null = null): Promise<OverviewResponse> {
    const recent = this.clock.now() - 3_600_000;
    const services = (await this.hot.services()).filter(
      (s) => s.lastSeen >= recent && (only === null || only.includes(s.name)),
    );
    const out = await Promise.all(
      services.map(async (s) => {
        const metrics = await this.hot.metricsOf(s.name);
        const m = await Promise.all(metrics.map((metric) => this.metric(s.name, metric.name)));
        m.sort((a, b) => a.metric.localeCompare(b.metric));
        return {
          service: s.name,
          lastSeen: s.lastSeen,
          rate: m.reduce((a, x) => Math.max(a, x.rate ?? 0), 0),
          metrics: m,
        };
      }),
    );
    return { services: out.sort((a, b) => a.service.localeCompare(b.service)) };
  }

  private async metric(service: string, metric: string): Promise<MetricOverview> {
    const now = this.clock.now();
    const from = Math.floor(now / MINUTE) * MINUTE - SPARK_MINUTES * MINUTE;
    const tagSets = await this.hot.tagSets(service, metric);
    const recentFrom = Math.floor(now / MINUTE) * MINUTE - 3 * MINUTE;
    const [history, recent] = await Promise.all([
      this.hot.windows(service, metric, '1m', [{}], from, now, false),
      this.hot.windows(
        service,
        metric,
        '1m',
        tagSets.filter((t) => Object.keys(t).length > 0),
        recentFrom,
        now,
        true,
      ),
    ]);
    const finals = history.filter((w) => w.final);
    const chosen = finals[finals.length - 1] ?? history[history.length - 1];
    const spark = history.map((w) => ({ start: w.start, rate: w.rate, p99: w.p99 }));
    if (!chosen) {
      return {
        metric,
        windowStart: null,
        rate: null,
        count: 0,
        errorRatio: null,
        p50: null,
        p95: null,
        p99: null,
        spark,
      };
    }
    const same = recent.filter((w) => w.start === chosen.start);
    const errors = same.filter((w) => isErrorTagSet(w.tags));
    // Latency of the successful requests only, when errors are there to leave out.
    const p: { p50: number | null; p95: number | null; p99: number | null } =
      errors.length > 0
        ? combinedStats(
            same.filter((w) => !isErrorTagSet(w.tags)),
            MINUTE,
          ).stats
        : chosen;
    const errorCount = errors.reduce((a, w) => a + w.count, 0);
    return {
      metric,
      windowStart: chosen.start,
      rate: chosen.rate,
      count: chosen.count,
      errorRatio: chosen.count > 0 ? errorCount / chosen.count : null,
      p50: p.p50,
      p95: p.p95,
      p99: p.p99,
      spark,
    };
  }
}
