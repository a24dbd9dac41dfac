import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import type { ApiKeyIdentity } from '@streammetrics/auth';
import { GatewayError } from './gateway.errors';
import { GatewayMetrics } from './gateway.metrics';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options';
import { decide, rateLimitHeaders } from './rate-limit.math';
import { RateLimitRepository } from './rate-limit.repository';

/**
 * Per-key event budget shared by all replicas. When Redis cannot answer the request is let through
 * (and counted): the limiter protects capacity, and refusing all traffic because of it would turn a
 * Redis outage into an ingest outage.
 */
@Injectable()
export class RateLimitService implements OnApplicationShutdown {
  private readonly log = new Logger(RateLimitService.name);

  constructor(
    private readonly repo: RateLimitRepository,
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_OPTIONS) private readonly opts: GatewayOptions,
  ) {}

  /** Counts the events against the key; returns the RateLimit headers, or throws a 429. */
  async consume(key: ApiKeyIdentity, events: number): Promise<Record<string, string>> {
    const windowMs = this.opts.rateWindowMs;
    const limit = Math.max(
      1,
      Math.round(((key.ratePerSecond ?? this.opts.defaultRatePerSecond) * windowMs) / 1000),
    );
    let result: Awaited<ReturnType<RateLimitRepository['consume']>>;
    try {
      result = await this.repo.consume(`ratelimit:{${key.id}}`, windowMs, limit, events);
    } catch (err) {
      this.metrics.rateLimitErrors.inc();
      this.log.warn(`rate limit not checked (Redis): ${(err as Error).message}`);
      return {};
    }
    const decision = decide(result.counts, events, limit, result.allowed);
    const headers = rateLimitHeaders(decision);
    if (decision.allowed) return headers;
    this.metrics.rateLimitExceeded.inc();
    throw new GatewayError(
      429,
      'RATE_LIMITED',
      events > limit
        ? `a batch of ${events} events exceeds this key's allowance of ${limit} events per ${windowMs} ms; split it`
        : `this key may send ${limit} events per ${windowMs} ms; retry after ${decision.retryAfterSec} s`,
      { retriable: true, retryAfterSec: decision.retryAfterSec, headers },
    );
  }

  onApplicationShutdown(): Promise<void> {
    return this.repo.close();
  }
}
