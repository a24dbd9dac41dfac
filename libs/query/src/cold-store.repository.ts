import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { Pool } from 'pg';
import { STATS, statsOf, tagsHash, type Stat, type WindowStats } from '@streammetrics/contracts';
import { HealthService } from '@streammetrics/observability';
import { STAT_COLUMNS } from '@streammetrics/storage';
import { QUERY_OPTIONS, type QueryOptions } from './query.options';
import type { SeriesWindow } from './query.dto';
import type { StoredWindow } from './series.point';

/** Which tag sets a read covers: the service-level rollup, or every tag set containing `tags`. */
export type TagSelector =
  | { kind: 'rollup' }
  | { kind: 'filter'; tags: Record<string, string>; groupBy?: string }
  | { kind: 'exact'; tags: Record<string, string> };

/** Rollups have their own tables; every configured window is in metric_aggregates. */
const ROLLUP_TABLE: Partial<Record<SeriesWindow, string>> = {
  '1h': 'metric_rollups_hourly',
  '1d': 'metric_rollups_daily',
};
const tableOf = (w: SeriesWindow) => ROLLUP_TABLE[w] ?? 'metric_aggregates';

const ROLLUP_HASH = tagsHash({});

/** What a totals-only read selects of the statistics. */
const TOTAL_COLUMNS: readonly Stat[] = ['count', 'sum', 'min', 'max'];
/** The statistics a totals-only read leaves out, as an empty window has them. */
const UNREAD_STATS = Object.fromEntries(
  STATS.filter((s) => !TOTAL_COLUMNS.includes(s)).map((s) => [s, s === 'rate' ? 0 : null]),
) as Omit<WindowStats, 'count' | 'sum' | 'min' | 'max'>;

/** A stored window as pg returns it: BIGINTs as strings, a missing statistic as null. */
interface WindowRow extends Record<Stat, number | string | null> {
  start: string;
  end: string;
  tags: Record<string, string>;
  count: string;
  sum: number;
  rate: number | null;
  is_final: boolean;
  stream_time: string;
  digest?: Buffer | null;
}

/** Every read of the cold tier (PostgreSQL: metric_aggregates and the rollup tables). */
@Injectable()
export class ColdStoreRepository implements OnModuleDestroy {
  private readonly log = new Logger('ColdStoreRepository');
  private readonly pool: Pool;

  constructor(@Inject(QUERY_OPTIONS) opts: QueryOptions, health: HealthService) {
    this.pool = new Pool({ connectionString: opts.databaseUrl, max: 10, application_name: 'query-api' });
    this.pool.on('error', (err) => this.log.warn(`postgres: ${err.message}`));
    health.register('postgres', async () => ({ ok: await this.ping() }));
  }

  async ping(): Promise<boolean> {
    await this.pool.query('SELECT 1');
    return true;
  }

  /**
   * Windows with start in [from, to), of the tag sets `selector` names, oldest first. `totalsOnly`:
   * only count, sum, min and max are read (avg and the quantiles come back null, rate 0), for
   * readers that add totals up and merge digests: a day of 1m windows is then a third less to
   * send and parse.
   */
  async windows(
    window: SeriesWindow,
    serviceId: string,
    metricName: string,
    from: number,
    to: number,
    selector: TagSelector,
    withDigest: boolean,
    totalsOnly = false,
  ): Promise<StoredWindow[]> {
    const params: unknown[] = [serviceId, metricName, window, new Date(from), new Date(to)];
    let where: string;
    if (selector.kind === 'rollup') {
      params.push(ROLLUP_HASH);
      where = `tags_hash = $6`;
    } else if (selector.kind === 'exact') {
      params.push(tagsHash(selector.tags));
      where = `tags_hash = $6`;
    } else {
      params.push(JSON.stringify(selector.tags), ROLLUP_HASH);
      where = `tags @> $6::jsonb AND tags_hash <> $7`;
      if (selector.groupBy !== undefined) {
        params.push(selector.groupBy);
        where += ` AND tags ? $8`;
      }
    }
    // "timestamp" (= window start) is the partition key: filtering on it prunes partitions.
    const { rows } = await this.pool.query<WindowRow>(
      `SELECT (extract(epoch FROM window_start) * 1000)::bigint AS start,
              (extract(epoch FROM window_end) * 1000)::bigint AS end,
              tags, ${(totalsOnly ? TOTAL_COLUMNS : STAT_COLUMNS).join(', ')}, is_final, stream_time
              ${withDigest ? ', digest' : ''}
         FROM ${tableOf(window)}
        WHERE service_id = $1 AND metric_name = $2 AND window_size = $3
          AND "timestamp" >= $4 AND "timestamp" < $5 AND ${where}
        ORDER BY "timestamp"`,
      params,
    );
    return rows.map(totalsOnly ? toTotalsWindow : toWindow);
  }

  /** Per-minute avg/max/min of the rollup series of one metric over one or every service. */
  async minuteBuckets(
    metricName: string,
    serviceId: string | undefined,
    from: number,
    to: number,
  ): Promise<{ start: number; count: number; sum: number; min: number; max: number }[]> {
    const params: unknown[] = [metricName, new Date(from), new Date(to), ROLLUP_HASH];
    if (serviceId) params.push(serviceId);
    const { rows } = await this.pool.query<{
      start: string;
      count: string;
      sum: number;
      min: number;
      max: number;
    }>(
      `SELECT (extract(epoch FROM "timestamp") * 1000)::bigint AS start,
              sum(count) AS count, sum(sum) AS sum, min(min) AS min, max(max) AS max
         FROM metric_aggregates
        WHERE metric_name = $1 AND window_size = '1m' AND "timestamp" >= $2 AND "timestamp" < $3
          AND tags_hash = $4 ${serviceId ? 'AND service_id = $5' : ''}
        GROUP BY "timestamp" ORDER BY "timestamp"`,
      params,
    );
    return rows.map((r) => ({
      start: Number(r.start),
      count: Number(r.count),
      sum: r.sum,
      min: r.min,
      max: r.max,
    }));
  }

  async services(since: number): Promise<{ name: string; lastSeen: number }[]> {
    const { rows } = await this.pool.query<{ name: string; last: string }>(
      `SELECT service_id AS name, (extract(epoch FROM max("timestamp")) * 1000)::bigint AS last
         FROM metric_aggregates WHERE "timestamp" >= $1 AND window_size = '1m'
        GROUP BY service_id`,
      [new Date(since)],
    );
    return rows.map((r) => ({ name: r.name, lastSeen: Number(r.last) }));
  }

  async metricsOf(serviceId: string, since: number): Promise<{ name: string; lastSeen: number }[]> {
    const { rows } = await this.pool.query<{ name: string; last: string }>(
      `SELECT metric_name AS name, (extract(epoch FROM max("timestamp")) * 1000)::bigint AS last
         FROM metric_aggregates WHERE service_id = $1 AND "timestamp" >= $2 AND window_size = '1m'
        GROUP BY metric_name`,
      [serviceId, new Date(since)],
    );
    return rows.map((r) => ({ name: r.name, lastSeen: Number(r.last) }));
  }

  async tagSets(serviceId: string, metricName: string, since: number): Promise<Record<string, string>[]> {
    const { rows } = await this.pool.query<{ tags: Record<string, string> }>(
      `SELECT DISTINCT ON (tags_hash) tags FROM metric_aggregates
        WHERE service_id = $1 AND metric_name = $2 AND "timestamp" >= $3 AND window_size = '1m'`,
      [serviceId, metricName, new Date(since)],
    );
    return rows.map((r) => r.tags);
  }

  async onModuleDestroy(): Promise<void> {
    await this.pool.end();
  }
}

function toWindow(r: WindowRow): StoredWindow {
  return {
    ...(statsOf(r) as WindowStats),
    start: Number(r.start),
    end: Number(r.end),
    tags: r.tags,
    count: Number(r.count),
    sum: r.sum,
    rate: r.rate ?? 0,
    final: r.is_final,
    streamTime: Number(r.stream_time),
    digest: r.digest ? new Uint8Array(r.digest.buffer, r.digest.byteOffset, r.digest.byteLength) : null,
    tier: 'cold',
  };
}

function toTotalsWindow(r: WindowRow): StoredWindow {
  return { ...toWindow(r), ...UNREAD_STATS };
}
