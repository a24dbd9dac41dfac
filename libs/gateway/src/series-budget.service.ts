import { createHash } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { ApiKeyIdentity } from '@streammetrics/auth';
import { CLOCK, tagsKey, type Clock, type MetricEvent } from '@streammetrics/contracts';
import { GatewayError } from './gateway.errors';
import { GatewayMetrics } from './gateway.metrics';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options';
import { RateLimitRepository } from './rate-limit.repository';

const HOUR_MS = 3_600_000;

/** A short, fixed-size name of one (serviceId, metricName, tags) series for the Redis set. */
export function seriesIdOf(e: Pick<MetricEvent, 'serviceId' | 'metricName' | 'tags'>): string {
  return createHash('sha1')
    .update(`${e.serviceId}\u0000${e.metricName}\u0000${tagsKey(e.tags ?? {})}`)
    .digest('base64url')
    .slice(0, 16);
}

/**
 * Distinct series one key may write per clock hour, shared by every replica through one Redis set
 * per key and hour (it expires with the hour, like the hot store's data). Every series costs
 * memory in the processor, Redis and PostgreSQL whatever its event rate, so it is budgeted apart
 * from the rate. While Redis cannot answer, the rate limiter's fallback decides: `closed` refuses,
 * `local` and `open` admit (the processor's per-partition series cap still bounds the state).
 *
 * A series Redis admitted stays in the key's set for the rest of the hour, so this replica
 * remembers it until the hour turns: a request whose series are all known costs no round trip,
 * and only the series this replica has not seen this hour are sent. (If the set is lost mid-hour,
 * a remembered series is not counted again until the next hour: the budget errs on admitting.)
 */
@Injectable()
export class SeriesBudgetService {
  /** Key id → the series Redis admitted for it in `knownHour`. */
  private readonly known = new Map<string, Set<string>>();
  private knownHour = -1;

  constructor(
    private readonly repo: RateLimitRepository,
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_OPTIONS) private readonly opts: GatewayOptions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async admit(key: ApiKeyIdentity, events: readonly MetricEvent[]): Promise<void> {
    const max = this.opts.maxSeriesPerKey;
    const now = this.clock.now();
    const hour = Math.floor(now / HOUR_MS);
    if (hour !== this.knownHour) {
      this.known.clear();
      this.knownHour = hour;
    }
    let known = this.known.get(key.id);
    const series = [...new Set(events.map(seriesIdOf))].filter((s) => !known?.has(s));
    if (series.length === 0) return;
    let r: Awaited<ReturnType<RateLimitRepository['admitSeries']>>;
    try {
      r = await this.repo.admitSeries(`series:{${key.id}}:${hour}`, max, 7200, series);
    } catch {
      this.metrics.rateLimitErrors.inc();
      if (this.opts.rateLimitFallback !== 'closed') return;
      throw new GatewayError(
        503,
        'RATE_LIMIT_UNAVAILABLE',
        'the series budget cannot be checked; retry later',
        {
          retriable: true,
          retryAfterSec: 1,
        },
      );
    }
    if (r.admitted) {
      // The hour may have turned while Redis answered: remember only what belongs to this hour.
      if (hour !== this.knownHour) return;
      if (!known) this.known.set(key.id, (known = new Set()));
      for (const s of series) known.add(s);
      return;
    }
    this.metrics.seriesBudgetExceeded.inc();
    const retryAfterSec = Math.max(1, Math.ceil(((hour + 1) * HOUR_MS - now) / 1000));
    throw new GatewayError(
      429,
      'SERIES_BUDGET_EXCEEDED',
      `this API key may write ${max} distinct series (serviceId, metricName, tags) per hour; ` +
        `${r.size} are used and this request adds ${r.fresh} new ones. Send fewer distinct tag values, ` +
        'or ask for a larger budget',
      { retriable: true, retryAfterSec },
    );
  }
}
