import { setTimeout as sleep } from 'node:timers/promises';
import type { MetricEvent } from '@streammetrics/contracts';
import { SinkError, type EventSink } from './fleet.sink';

export interface HttpSinkOptions {
  gatewayUrl: string;
  apiKey: string;
  /** Attempts per batch for answers that say a retry can help (429, 503, network errors). */
  maxAttempts?: number;
  timeoutMs?: number;
}

const RETRIABLE_STATUS = new Set([408, 429, 500, 502, 503, 504]);

/**
 * Posts batches to the ingest gateway (`POST /api/v1/events`, an array of events, Bearer API key).
 * 429 and 503 carry Retry-After: the batch is retried after it, and since the gateway rejects a
 * batch as a whole, a retry never duplicates part of one. A 4xx other than 408/429 is final.
 */
export class HttpEventSink implements EventSink {
  readonly description: string;
  private readonly url: string;

  constructor(private readonly opts: HttpSinkOptions) {
    this.url = new URL('/api/v1/events', opts.gatewayUrl).toString();
    this.description = `gateway ${this.url}`;
  }

  async connect(): Promise<void> {
    // Nothing to open: fetch keeps its own connection pool.
  }

  async send(events: MetricEvent[]): Promise<void> {
    if (events.length === 0) return;
    const body = JSON.stringify(events);
    const attempts = this.opts.maxAttempts ?? 8;
    let lastError = '';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      let retryAfterMs = Math.min(2000, 100 * 2 ** (attempt - 1));
      try {
        const res = await fetch(this.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: `Bearer ${this.opts.apiKey}` },
          body,
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 10_000),
        });
        if (res.ok) {
          await res.arrayBuffer();
          return;
        }
        const text = (await res.text()).slice(0, 300);
        lastError = `HTTP ${res.status}: ${text}`;
        if (!RETRIABLE_STATUS.has(res.status)) throw new SinkError(lastError, false);
        const header = Number(res.headers.get('retry-after'));
        if (Number.isFinite(header) && header > 0) retryAfterMs = header * 1000;
      } catch (err) {
        if (err instanceof SinkError) throw err;
        lastError = (err as Error).message;
      }
      if (attempt < attempts) await sleep(retryAfterMs);
    }
    throw new SinkError(`gave up after ${attempts} attempts: ${lastError}`, true);
  }

  async close(): Promise<void> {}
}
