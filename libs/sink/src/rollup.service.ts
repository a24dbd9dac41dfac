import type { Pool, PoolClient } from 'pg';
import type { Clock } from '@streammetrics/contracts';
import { inTransaction } from '@streammetrics/storage';
import { groupBySeries, mergeSeries, type RollupInput, type RollupRow } from './rollup.merge';
import { DAY_MS, dueBuckets, floorTo, ROLLUPS, type RollupResolution } from './rollup.plan';
import { RollupRepository, type SeriesCursor } from './rollup.repository';
import type { SinkLog } from './sink.log';
import type { SinkMetrics } from './sink.metrics';

export interface RollupOptions {
  /** Prefix of the rollup_state / rollup_dirty keys ('' in production: keys '1h' and '1d'). */
  stateKeyPrefix: string;
  /** An hour is rolled up once now >= hour end + this (window grace + time for finals to land). */
  delayMs: number;
  /** Where a sink that has never rolled up starts. */
  initialLookbackMs: number;
  /** Buckets per resolution per run, so one run stays short; the next run continues. */
  maxBucketsPerRun: number;
  /** Input rows per page (at least 60: one hour of 1m windows of one series). */
  pageSize: number;
}

export const DEFAULT_ROLLUP_OPTIONS: RollupOptions = {
  stateKeyPrefix: '',
  delayMs: 5 * 60_000,
  initialLookbackMs: 2 * DAY_MS,
  maxBucketsPerRun: 48,
  pageSize: 6_000,
};

export interface RollupRunResult {
  hours: number;
  days: number;
  rows: number;
}

/**
 * Hourly rollups from the final 1m windows, daily rollups from the hourly ones. Each bucket is
 * built in one transaction that also advances its watermark (rollup_state), so a sink that was
 * down catches up from where it stopped, and a re-run rewrites nothing. Hours marked dirty by late
 * finals (rollup_dirty) are rebuilt, which in turn marks their day dirty.
 */
export class RollupService {
  private readonly repo = new RollupRepository();

  constructor(
    private readonly pool: Pool,
    private readonly opts: RollupOptions,
    private readonly clock: Clock,
    private readonly metrics: SinkMetrics,
    private readonly log: SinkLog,
  ) {}

  stateKey(res: RollupResolution): string {
    return `${this.opts.stateKeyPrefix}${res.id}`;
  }

  async run(): Promise<RollupRunResult> {
    const [hourly, daily] = ROLLUPS as [RollupResolution, RollupResolution];
    const initial = floorTo(this.clock.now() - this.opts.initialLookbackMs, DAY_MS);
    const result: RollupRunResult = { hours: 0, days: 0, rows: 0 };

    const hourReady = this.clock.now() - this.opts.delayMs;
    const h = await this.catchUp(hourly, initial, () => Promise.resolve(hourReady));
    const hd = await this.rebuildDirty(hourly, daily);
    result.hours = h.buckets + hd.buckets;
    const d = await this.catchUp(daily, initial, (c) =>
      this.repo.readWatermark(c, this.stateKey(hourly)).then((w) => w ?? initial),
    );
    const dd = await this.rebuildDirty(daily, null);
    result.days = d.buckets + dd.buckets;
    result.rows = h.rows + hd.rows + d.rows + dd.rows;
    return result;
  }

  /** Builds one bucket's rows (does not write them); exposed for tests and re-computation. */
  async buildBucket(c: PoolClient, res: RollupResolution, start: number): Promise<RollupRow[]> {
    const rows: RollupRow[] = [];
    let after: SeriesCursor | null = null;
    for (;;) {
      const page: RollupInput[] = await this.repo.readInputs(c, res, start, after, this.opts.pageSize);
      const series = groupBySeries(page);
      const complete = page.length < this.opts.pageSize ? series : series.slice(0, -1);
      if (complete.length === 0 && page.length > 0) {
        throw new Error(`rollup page size ${this.opts.pageSize} is smaller than one series' windows`);
      }
      for (const s of complete) rows.push(mergeSeries(s, start, res.bucketMs));
      if (page.length < this.opts.pageSize) return rows;
      const last = complete[complete.length - 1]?.[0] as RollupInput;
      after = [last.serviceId, last.metricName, last.tagsHash];
    }
  }

  private async catchUp(
    res: RollupResolution,
    initial: number,
    readyUntil: (c: PoolClient) => Promise<number>,
  ): Promise<{ buckets: number; rows: number }> {
    const key = this.stateKey(res);
    let buckets = 0;
    let rows = 0;
    while (buckets < this.opts.maxBucketsPerRun) {
      const done = await inTransaction(this.pool, async (c) => {
        const doneUntil = await this.repo.lockWatermark(c, key, initial);
        const [bucket] = dueBuckets(doneUntil, await readyUntil(c), res.bucketMs, 1);
        if (bucket === undefined) return null;
        const built = await this.buildBucket(c, res, bucket);
        const n = await this.repo.upsert(c, res, built);
        await this.repo.setWatermark(c, key, bucket + res.bucketMs);
        return n;
      });
      if (done === null) break;
      buckets++;
      rows += done;
      this.metrics.rollupBuckets.inc({ resolution: res.id, kind: 'catch-up' });
      this.metrics.rollupRows.inc({ resolution: res.id }, done);
    }
    if (buckets > 0) this.log.info({ resolution: res.id, buckets, rows }, 'rollups built');
    return { buckets, rows };
  }

  private async rebuildDirty(
    res: RollupResolution,
    parent: RollupResolution | null,
  ): Promise<{ buckets: number; rows: number }> {
    const key = this.stateKey(res);
    let buckets = 0;
    let rows = 0;
    const dirty = await inTransaction(this.pool, (c) =>
      this.repo.dirtyBuckets(c, key, this.opts.maxBucketsPerRun),
    );
    for (const bucket of dirty) {
      const n = await inTransaction(this.pool, async (c) => {
        // The watermark row lock serialises with sink writers marking late finals (FOR SHARE).
        await this.repo.lockWatermark(c, key, bucket);
        const built = await this.buildBucket(c, res, bucket);
        const written = await this.repo.upsert(c, res, built);
        await this.repo.clearDirty(c, key, bucket);
        if (parent) {
          const parentKey = this.stateKey(parent);
          const parentDone = await this.repo.readWatermark(c, parentKey);
          const parentBucket = floorTo(bucket, parent.bucketMs);
          if (parentDone !== undefined && parentBucket < parentDone)
            await this.repo.markDirty(c, parentKey, parentBucket);
        }
        return written;
      });
      buckets++;
      rows += n;
      this.metrics.rollupBuckets.inc({ resolution: res.id, kind: 'dirty' });
      this.metrics.rollupRows.inc({ resolution: res.id }, n);
    }
    if (buckets > 0) this.log.info({ resolution: res.id, buckets, rows }, 'late rollups rebuilt');
    return { buckets, rows };
  }
}
