import { HttpException, HttpStatus, Inject, Injectable } from '@nestjs/common';
import { errorBody } from '@streammetrics/contracts';
import type { ApiKeyIdentity } from './api-key.format';
import { AUTH_OPTIONS, type AuthModuleOptions } from './auth.options';
import { LocalLimiter } from './local.limiter';

/** A 429 and the headers it goes out with. */
export class TooManyRequests extends HttpException {
  constructor(
    message: string,
    readonly headers: Record<string, string>,
  ) {
    super(errorBody('RATE_LIMITED', message), HttpStatus.TOO_MANY_REQUESTS);
  }
}

/**
 * Per-process request budgets the key guard applies: requests that carry no valid key, per client
 * address (they are refused before any key is looked at once the address has spent its budget), and
 * optionally requests per key (the query API's; the gateway counts events per key in Redis instead).
 */
@Injectable()
export class RequestLimits {
  private readonly unauthenticated = new LocalLimiter(1000);
  private readonly perKey = new LocalLimiter(1000);

  constructor(@Inject(AUTH_OPTIONS) private readonly opts: AuthModuleOptions) {}

  /** Throws a 429 when this address has used up its budget of unauthenticated requests. */
  checkAddress(address: string): void {
    if (this.unauthenticated.exhausted(address, this.unauthenticatedLimit)) {
      throw new TooManyRequests('too many requests without a valid API key from this address', {
        'Retry-After': '1',
      });
    }
  }

  /** Counts a request whose key was missing or refused. */
  countFailure(address: string): void {
    this.unauthenticated.consume(address, this.unauthenticatedLimit);
  }

  /** Counts an authenticated request against its key's budget, if the app set one. */
  countKey(key: ApiKeyIdentity): Record<string, string> {
    const limit = this.opts.requestsPerKeyPerSecond;
    if (!limit) return {};
    const r = this.perKey.consume(key.id, limit);
    const headers = {
      'RateLimit-Limit': String(limit),
      'RateLimit-Remaining': String(r.remaining),
      'RateLimit-Policy': `${limit};w=1`,
    };
    if (!r.allowed) {
      throw new TooManyRequests(`this API key may make ${limit} requests per second here`, {
        ...headers,
        'Retry-After': String(r.retryAfterSec),
      });
    }
    return headers;
  }

  private get unauthenticatedLimit(): number {
    return this.opts.unauthenticatedPerSecond ?? 20;
  }
}
