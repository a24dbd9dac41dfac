import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import Redis from 'ioredis';
import {
  decodeHotUpdate,
  DLQ_RECENT_KEY,
  dlqCountsKey,
  historyKey,
  latestKey,
  metricsOfServiceKey,
  SERVICES_KEY,
  seriesIndexKey,
  UPDATES_CHANNEL,
  type AggregateRecord,
  type DeadLetterSummary,
  type HotUpdate,
  type WindowId,
} from '@streammetrics/contracts';
import { HealthService } from '@streammetrics/observability';
import { QUERY_OPTIONS, type QueryOptions } from './query.options';
import type { StoredWindow } from './series.point';

export interface Seen {
  name: string;
  lastSeen: number;
}

/**
 * Every read of the hot tier (Redis, format in libs/contracts hot-store.format.ts) and the one
 * pub/sub subscription of this process (STYLE.md §3). Subscribing needs a dedicated connection:
 * a Redis connection in subscriber mode can run no other command.
 */
@Injectable()
export class HotStoreRepository implements OnModuleDestroy {
  private readonly log = new Logger('HotStoreRepository');
  private readonly redis: Redis;
  private subscriber?: Redis;

  constructor(
    @Inject(QUERY_OPTIONS) private readonly opts: QueryOptions,
    health: HealthService,
  ) {
    this.redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 2 });
    this.redis.on('error', (err) => this.log.warn(`redis: ${err.message}`));
    health.register('redis', async () => ({ ok: await this.ping() }));
  }

  async ping(): Promise<boolean> {
    return (await this.redis.ping()) === 'PONG';
  }

  async services(): Promise<Seen[]> {
    return pairs(await this.redis.zrevrange(SERVICES_KEY, 0, -1, 'WITHSCORES'));
  }

  async metricsOf(serviceId: string): Promise<Seen[]> {
    return pairs(await this.redis.zrevrange(metricsOfServiceKey(serviceId), 0, -1, 'WITHSCORES'));
  }

  /** Canonical tag sets seen for a metric in the last hour (the rollup's {} included). */
  async tagSets(serviceId: string, metricName: string): Promise<Record<string, string>[]> {
    const index = await this.redis.hgetall(seriesIndexKey(serviceId, metricName));
    return Object.values(index).map((json) => JSON.parse(json) as Record<string, string>);
  }

  async latest(serviceId: string, metricName: string, window: WindowId): Promise<AggregateRecord | null> {
    const json = await this.redis.get(latestKey(serviceId, metricName, window));
    return json ? (JSON.parse(json) as AggregateRecord) : null;
  }

  /** Windows of the given tag sets with start in [from, to], one pipelined round trip. */
  async windows(
    serviceId: string,
    metricName: string,
    window: WindowId,
    tagSets: readonly Record<string, string>[],
    from: number,
    to: number,
    withDigest: boolean,
  ): Promise<StoredWindow[]> {
    if (tagSets.length === 0) return [];
    const pipeline = this.redis.pipeline();
    for (const tags of tagSets)
      pipeline.zrangebyscore(historyKey(serviceId, metricName, window, tags), from, to);
    const results = (await pipeline.exec()) ?? [];
    const out: StoredWindow[] = [];
    for (const [err, members] of results) {
      if (err) throw err;
      for (const json of members as string[])
        out.push(toWindow(JSON.parse(json) as AggregateRecord, withDigest));
    }
    return out;
  }

  /** Windows of several services (same metric, rollup series) — MetricStream's cross-service query. */
  async rollupWindowsOfServices(
    serviceIds: readonly string[],
    metricName: string,
    from: number,
    to: number,
  ): Promise<StoredWindow[]> {
    const pipeline = this.redis.pipeline();
    for (const s of serviceIds) pipeline.zrangebyscore(historyKey(s, metricName, '1m', {}), from, to);
    const out: StoredWindow[] = [];
    for (const [err, members] of (await pipeline.exec()) ?? []) {
      if (err) throw err;
      for (const json of members as string[]) out.push(toWindow(JSON.parse(json) as AggregateRecord, false));
    }
    return out;
  }

  async recentDeadLetters(limit: number): Promise<DeadLetterSummary[]> {
    const items = await this.redis.lrange(DLQ_RECENT_KEY, 0, limit - 1);
    return items.map((json) => JSON.parse(json) as DeadLetterSummary);
  }

  /** reason -> count for each of the given minute starts, in order. */
  async deadLetterCounts(minuteStarts: readonly number[]): Promise<Record<string, number>[]> {
    const pipeline = this.redis.pipeline();
    for (const m of minuteStarts) pipeline.hgetall(dlqCountsKey(m));
    return ((await pipeline.exec()) ?? []).map(([err, hash]) => {
      if (err) throw err;
      const out: Record<string, number> = {};
      for (const [reason, n] of Object.entries(hash as Record<string, string>)) out[reason] = Number(n);
      return out;
    });
  }

  /** Delivers every update on UPDATES_CHANNEL to `onUpdate`; one subscription per process. */
  async subscribeUpdates(onUpdate: (u: HotUpdate) => void): Promise<void> {
    if (this.subscriber) throw new Error('already subscribed');
    const sub = new Redis(this.opts.redisUrl, { maxRetriesPerRequest: null });
    this.subscriber = sub;
    sub.on('error', (err) => this.log.warn(`redis subscriber: ${err.message}`));
    sub.on('message', (_channel: string, message: string) => {
      let update: HotUpdate;
      try {
        update = decodeHotUpdate(message);
      } catch (err) {
        this.log.warn(`dropping malformed update: ${(err as Error).message}`);
        return;
      }
      onUpdate(update);
    });
    // ioredis re-subscribes by itself after a reconnect (autoResubscribe).
    await sub.subscribe(UPDATES_CHANNEL);
  }

  async onModuleDestroy(): Promise<void> {
    await Promise.allSettled([this.redis.quit(), this.subscriber?.quit()]);
  }
}

function pairs(flat: string[]): Seen[] {
  const out: Seen[] = [];
  for (let i = 0; i + 1 < flat.length; i += 2)
    out.push({ name: flat[i] as string, lastSeen: Number(flat[i + 1]) });
  return out;
}

function toWindow(r: AggregateRecord, withDigest: boolean): StoredWindow {
  return {
    start: r.window.start,
    end: r.window.end,
    tags: r.tags ?? {},
    count: r.count,
    sum: r.sum,
    min: r.min,
    max: r.max,
    avg: r.avg,
    rate: r.rate,
    p50: r.p50,
    p95: r.p95,
    p99: r.p99,
    final: r.final,
    streamTime: r.streamTime,
    digest: withDigest && r.digest ? base64Bytes(r.digest) : null,
    tier: 'hot',
  };
}

function base64Bytes(s: string): Uint8Array {
  const b = Buffer.from(s, 'base64');
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}
