import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { LocalLimiter, type ApiKeyIdentity } from '@streammetrics/auth';
import { CLOCK, type Clock } from '@streammetrics/contracts';
import { GatewayError } from './gateway.errors';
import { GatewayMetrics } from './gateway.metrics';
import { GATEWAY_OPTIONS, type GatewayOptions } from './gateway.options';
import { LocalBudget } from './rate-limit.local';
import { decide, rateLimitHeaders } from './rate-limit.math';
import { RateLimitRepository } from './rate-limit.repository';

/**
 * Per-key event budget shared by all replicas. When Redis cannot answer (counted), the configured
 * fallback decides: `local` (the default) counts the key's events in this process with the same
 * rule — a replica then admits up to the key's whole rate, so N replicas admit up to N times it, but
 * no key is unbounded and ingest survives the outage; `closed` answers 503 (nothing unmetered gets
 * in); `open` lets everything through.
 *
 * A key under heavy load is served by the LocalBudget fast path: its events are written to the
 * shared counter once per sync interval instead of one Redis call per request.
 */
@Injectable()
export class RateLimitService implements OnApplicationShutdown {
  private readonly log = new Logger(RateLimitService.name);
  private readonly local: LocalLimiter;
  private readonly budget: LocalBudget;
  private readonly flushTimer: NodeJS.Timeout;
  private lastWarning = 0;

  constructor(
    private readonly repo: RateLimitRepository,
    private readonly metrics: GatewayMetrics,
    @Inject(GATEWAY_OPTIONS) private readonly opts: GatewayOptions,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {
    this.local = new LocalLimiter(opts.rateWindowMs, undefined, () => clock.now());
    const syncMs = Math.max(5, Math.min(50, Math.round(opts.rateWindowMs / 50)));
    this.budget = new LocalBudget({ syncMs, hotRequests: 8, reserve: 0.05 });
    this.flushTimer = setInterval(() => void this.flush(), syncMs);
    this.flushTimer.unref();
  }

  private limitOf(key: ApiKeyIdentity): number {
    const perSecond = key.ratePerSecond ?? this.opts.defaultRatePerSecond;
    return Math.max(1, Math.round((perSecond * this.opts.rateWindowMs) / 1000));
  }

  /** Writes the locally admitted events to the shared counter, one call per key. */
  private async flush(): Promise<void> {
    const now = this.clock.now();
    const pending = this.budget.takePending(now, this.opts.rateWindowMs * 2);
    await Promise.all(
      pending.map(async ([id, cost]) => {
        try {
          const counts = await this.repo.add(`ratelimit:{${id}}`, this.opts.rateWindowMs, cost);
          this.budget.synced(id, counts, this.clock.now());
        } catch {
          this.metrics.rateLimitErrors.inc();
          this.budget.forget(id);
        }
      }),
    );
  }

  /** Counts the events against the key; returns the RateLimit headers, or throws a 429. */
  async consume(key: ApiKeyIdentity, events: number): Promise<Record<string, string>> {
    const windowMs = this.opts.rateWindowMs;
    const limit = this.limitOf(key);
    const fast = this.budget.tryAdmit(key.id, events, limit, this.clock.now());
    if (fast) {
      return rateLimitHeaders({
        allowed: true,
        limit,
        remaining: fast.remaining,
        resetSec: Math.max(1, Math.ceil(windowMs / 1000)),
        windowMs,
      });
    }
    let result: Awaited<ReturnType<RateLimitRepository['consume']>>;
    try {
      result = await this.repo.consume(`ratelimit:{${key.id}}`, windowMs, limit, events);
    } catch (err) {
      this.metrics.rateLimitErrors.inc();
      const now = this.clock.now();
      if (now - this.lastWarning > 10_000) {
        this.lastWarning = now;
        this.log.warn(
          `rate limiter unreachable (Redis), fallback ${this.opts.rateLimitFallback}: ${(err as Error).message}`,
        );
      }
      return this.fallback(key, events, limit);
    }
    this.budget.synced(key.id, result.counts, this.clock.now());
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

  private fallback(key: ApiKeyIdentity, events: number, limit: number): Record<string, string> {
    if (this.opts.rateLimitFallback === 'open') return {};
    if (this.opts.rateLimitFallback === 'closed') {
      throw new GatewayError(
        503,
        'RATE_LIMIT_UNAVAILABLE',
        'the rate limiter cannot be reached; retry later',
        {
          retriable: true,
          retryAfterSec: 1,
        },
      );
    }
    const r = this.local.consume(key.id, limit, events);
    if (r.allowed) return {};
    this.metrics.rateLimitExceeded.inc();
    throw new GatewayError(
      429,
      'RATE_LIMITED',
      `this key may send ${limit} events per ${this.opts.rateWindowMs} ms; retry after ${r.retryAfterSec} s`,
      {
        retriable: true,
        retryAfterSec: r.retryAfterSec,
        headers: { 'Retry-After': String(r.retryAfterSec) },
      },
    );
  }

  async onApplicationShutdown(): Promise<void> {
    clearInterval(this.flushTimer);
    // What was admitted locally counts against the key on the other replicas too.
    await this.flush();
    await this.repo.close();
  }
}
