import type { ChainableCommander, Redis } from 'ioredis';
import {
  DLQ_COUNTS_TTL_SECONDS,
  DLQ_RECENT_KEY,
  DLQ_RECENT_MAX,
  HOT_TTL_SECONDS,
  SERVICES_KEY,
  dlqCountsKey,
  historyKey,
  latestKey,
  metricsOfServiceKey,
  seriesIndexKey,
  tagsHash,
  updatesChannel,
  type DeadLetterSummary,
} from '@streammetrics/contracts';
import type { SinkRecord } from './aggregate.batch';
import { HISTORY_SPAN_MS, hotWriteScript } from './hot-store.script';
import { classifyRedisError, StoreUnavailableError, UnwritableRecordError } from './store.errors';
import type { StoreWriteResult } from './store.writer';

export { HISTORY_SPAN_MS };

/** tagsHash({}): the service-level rollup series, the only one with a latest key. */
const ROLLUP_HASH = tagsHash({});

interface ScriptCommands {
  smHotWrite(...args: (string | number | Buffer)[]): ChainableCommander;
}

/** Everything the sink does to Redis, behind one class (services never call ioredis). */
export class HotStoreRepository {
  readonly store = 'redis' as const;

  constructor(private readonly redis: Redis) {
    redis.defineCommand('smHotWrite', {
      numberOfKeys: 2,
      lua: hotWriteScript(updatesChannel(redis.options.db)),
    });
  }

  /**
   * Applies the records in one pipeline (one round trip). A connection problem fails the whole
   * call as retriable; a script error about one record's data is reported for that record only.
   */
  async writeAggregates(records: readonly SinkRecord[]): Promise<StoreWriteResult> {
    if (records.length === 0) return { applied: 0, rejected: [] };
    const pipeline = this.redis.pipeline() as ChainableCommander & ScriptCommands;
    for (const r of records) {
      const rec = r.record;
      pipeline.smHotWrite(
        historyKey(rec.serviceId, rec.metricName, r.windowId, rec.tags),
        latestKey(rec.serviceId, rec.metricName, r.windowId),
        r.stored,
        rec.window.start,
        rec.final ? '1' : '0',
        rec.streamTime,
        r.tagsHash === ROLLUP_HASH ? '1' : '0',
        r.windowId,
      );
    }
    this.updateRegistries(pipeline, records);
    let results: [Error | null, unknown][] | null;
    try {
      results = await pipeline.exec();
    } catch (err) {
      throw new StoreUnavailableError('redis', err);
    }
    if (!results) throw new StoreUnavailableError('redis', new Error('pipeline discarded'));
    let applied = 0;
    const rejected: StoreWriteResult['rejected'] = [];
    for (let i = 0; i < results.length; i++) {
      const [err, value] = results[i] as [Error | null, unknown];
      if (err && i >= records.length) throw new StoreUnavailableError('redis', err);
      if (err) {
        const classified = classifyRedisError(err);
        if (classified instanceof StoreUnavailableError) throw classified;
        rejected.push({ record: records[i] as SinkRecord, error: classified as UnwritableRecordError });
      } else if (value === 1 && i < records.length) {
        applied++;
      }
    }
    return { applied, rejected };
  }

  /**
   * Series index, services and metrics-of-service: once per distinct entry of the batch. Scores are
   * the newest streamTime seen (ZADD GT), so they are data time and a replay writes the same values;
   * entries older than an hour before that are trimmed, and every key carries the hot TTL.
   */
  private updateRegistries(p: ChainableCommander, records: readonly SinkRecord[]): void {
    const series = new Map<string, SinkRecord>();
    const metrics = new Map<string, { serviceId: string; metricName: string; streamTime: number }>();
    const services = new Map<string, number>();
    for (const r of records) {
      const { serviceId, metricName, streamTime } = r.record;
      series.set(`${serviceId}\u0000${metricName}\u0000${r.tagsHash}`, r);
      const mk = `${serviceId}\u0000${metricName}`;
      const m = metrics.get(mk);
      if (!m || m.streamTime < streamTime) metrics.set(mk, { serviceId, metricName, streamTime });
      if ((services.get(serviceId) ?? -Infinity) < streamTime) services.set(serviceId, streamTime);
    }
    for (const r of series.values()) {
      const key = seriesIndexKey(r.record.serviceId, r.record.metricName);
      p.hset(key, r.tagsHash, JSON.stringify(r.record.tags));
      p.expire(key, HOT_TTL_SECONDS);
    }
    for (const m of metrics.values())
      p.zadd(metricsOfServiceKey(m.serviceId), 'GT', m.streamTime, m.metricName);
    let newest = -Infinity;
    for (const [serviceId, streamTime] of services) {
      const key = metricsOfServiceKey(serviceId);
      p.zremrangebyscore(key, '-inf', streamTime - HISTORY_SPAN_MS);
      p.expire(key, HOT_TTL_SECONDS);
      p.zadd(SERVICES_KEY, 'GT', streamTime, serviceId);
      newest = Math.max(newest, streamTime);
    }
    p.zremrangebyscore(SERVICES_KEY, '-inf', newest - HISTORY_SPAN_MS);
    p.expire(SERVICES_KEY, HOT_TTL_SECONDS);
  }

  /**
   * The dashboard's dead-letter panel. Not idempotent: a batch retried after a crash between the
   * write and the offset commit counts its dead letters twice. That is acceptable for an
   * informational panel (the topic itself stays the record of truth) and keeps this a plain LPUSH.
   */
  async recordDeadLetters(summaries: readonly DeadLetterSummary[]): Promise<void> {
    if (summaries.length === 0) return;
    const p = this.redis.pipeline();
    for (const s of summaries) {
      p.lpush(DLQ_RECENT_KEY, JSON.stringify(s));
      const key = dlqCountsKey(Math.floor(s.time / 60_000) * 60_000);
      p.hincrby(key, s.reason, 1);
      p.expire(key, DLQ_COUNTS_TTL_SECONDS);
    }
    p.ltrim(DLQ_RECENT_KEY, 0, DLQ_RECENT_MAX - 1);
    p.expire(DLQ_RECENT_KEY, DLQ_COUNTS_TTL_SECONDS);
    let results: [Error | null, unknown][] | null;
    try {
      results = await p.exec();
    } catch (err) {
      throw new StoreUnavailableError('redis', err);
    }
    const failed = results?.find(([e]) => e !== null);
    if (!results || failed)
      throw new StoreUnavailableError('redis', failed?.[0] ?? new Error('pipeline discarded'));
  }

  async ping(): Promise<void> {
    await this.redis.ping();
  }
}
