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
  updatesChannel,
  type AggregateRecord,
  type DeadLetterSummary,
  type HotUpdate,
  type WindowId,
} from '@streammetrics/contracts';
import { HealthService } from '@streammetrics/observability';
import { HotWindowCache } from './hot-window.cache';
import { QUERY_OPTIONS, type QueryOptions } from './query.options';
import type { StoredWindow } from './series.point';

export interface Seen {
  name: string;
  lastSeen: number;
}

/**
 * Every read of the hot tier (Redis, format in libs/contracts hot-store.format.ts) and the one
 * pub/sub subscription of this process, behind one class. Subscribing needs a dedicated connection:
 * a Redis connection in subscriber mode can run no other command.
 */
@Injectable()
export class HotStoreRepository implements OnModuleDestroy {
  private readonly log = new Logger('HotStoreRepository');
  private readonly redis: Redis;
  private subscriber?: Redis;
  /** ~2.5 KB per member (string, parsed window, digest): about 25 MB at most. */
  private readonly parsed = new HotWindowCache(10_000);

  constructor(
    @Inject(QUERY_OPTIONS) private readonly opts: QueryOptions,
    health: HealthService,
  ) {
    // Concurrent requests' reads go out in one write (one syscall) instead of one each.
    this.redis = new Redis(opts.redisUrl, { maxRetriesPerRequest: 2, enableAutoPipelining: true });
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

  /**
   * Windows of the given tag sets with start in [from, to], one pipelined round trip. The windows
   * are shared with other requests (see HotWindowCache): read-only.
   */
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
    return this.history(
      tagSets.map((tags) => historyKey(serviceId, metricName, window, tags)),
      from,
      to,
      withDigest,
    );
  }

  /** Windows of several services (same metric, rollup series) — MetricStream's cross-service query. */
  async rollupWindowsOfServices(
    serviceIds: readonly string[],
    metricName: string,
    from: number,
    to: number,
  ): Promise<StoredWindow[]> {
    if (serviceIds.length === 0) return [];
    return this.history(
      serviceIds.map((s) => historyKey(s, metricName, '1m', {})),
      from,
      to,
      false,
    );
  }

  /**
   * History members with score in [from, to] of each key (one round trip), as windows. Members
   * come as bytes and scores along, so each member is found in the parse cache by key and score
   * and compared, not decoded or hashed (HotWindowCache).
   */
  private async history(
    keys: readonly string[],
    from: number,
    to: number,
    withDigest: boolean,
  ): Promise<StoredWindow[]> {
    let replies: [Error | null, unknown][];
    if (keys.length === 1) {
      replies = [[null, await this.redis.zrangebyscoreBuffer(keys[0] as string, from, to, 'WITHSCORES')]];
    } else {
      const pipeline = this.redis.pipeline();
      for (const key of keys) pipeline.zrangebyscoreBuffer(key, from, to, 'WITHSCORES');
      replies = (await pipeline.exec()) ?? [];
    }
    const out: StoredWindow[] = [];
    replies.forEach(([err, reply], i) => {
      if (err) throw err;
      const flat = reply as Buffer[];
      const key = keys[i] as string;
      for (let j = 0; j + 1 < flat.length; j += 2) {
        const slot = `${key}\u0000${(flat[j + 1] as Buffer).toString('latin1')}`;
        out.push(this.parsed.window(slot, flat[j] as Buffer, withDigest));
      }
    });
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

  /** Delivers every update of this database's channel to `onUpdate`; one subscription per process. */
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
    await sub.subscribe(updatesChannel(sub.options.db));
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
