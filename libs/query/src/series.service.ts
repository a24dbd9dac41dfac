import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock } from './clock';
import type { TagSelector } from './cold-store.repository';
import { WINDOW_SIZE_MS, WINDOW_STEP_MS, type SeriesQuery, type SeriesWindow, type Stat } from './query.dto';
import { toPoints, type StoredWindow, type Tier } from './series.point';
import { TieredReader } from './tiered.reader';

export interface SeriesPointDto {
  /** Window start, epoch ms. */
  start: number;
  end: number;
  time: string;
  tier: Tier;
  final: boolean;
  count?: number | null;
  sum?: number | null;
  min?: number | null;
  max?: number | null;
  avg?: number | null;
  rate?: number | null;
  p50?: number | null;
  p95?: number | null;
  p99?: number | null;
}

export interface SeriesResponse {
  service: string;
  metric: string;
  window: SeriesWindow;
  from: number;
  to: number;
  tags: Record<string, string>;
  groupBy: string | null;
  stats: Stat[];
  /** Window starts at or after this instant were served by Redis (tier "hot"), older by PostgreSQL. */
  hotFrom: number;
  series: { group: string | null; tags: Record<string, string>; points: SeriesPointDto[] }[];
}

const QUANTILE_STATS: readonly Stat[] = ['p50', 'p95', 'p99'];

@Injectable()
export class SeriesService {
  constructor(
    private readonly reader: TieredReader,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async series(q: SeriesQuery): Promise<SeriesResponse> {
    const to = q.to ?? this.clock.now();
    const from = q.from ?? to - Math.max(3_600_000, 60 * WINDOW_STEP_MS[q.window]);
    const filtered = Object.keys(q.tag).length > 0 || q.groupBy !== undefined;
    const selector: TagSelector = filtered
      ? { kind: 'filter', tags: q.tag, groupBy: q.groupBy }
      : { kind: 'rollup' };
    // Digests are only needed when several tag sets are merged into one point.
    const withDigest = filtered && q.stats.some((s) => QUANTILE_STATS.includes(s));
    const windows = await this.reader.read({
      serviceId: q.service,
      metricName: q.metric,
      window: q.window,
      from,
      to,
      selector,
      withDigest,
    });
    const groups = new Map<string | null, StoredWindow[]>();
    for (const w of windows) {
      const key = q.groupBy === undefined ? null : (w.tags[q.groupBy] as string);
      const g = groups.get(key);
      if (g) g.push(w);
      else groups.set(key, [w]);
    }
    if (q.groupBy === undefined && groups.size === 0) groups.set(null, []);
    const sizeMs = WINDOW_SIZE_MS[q.window];
    const series = [...groups.entries()]
      .sort(([a], [b]) => String(a).localeCompare(String(b)))
      .map(([group, ws]) => ({
        group,
        tags: group === null ? q.tag : { ...q.tag, [q.groupBy as string]: group },
        points: toPoints(ws, sizeMs, q.stats).map((p): SeriesPointDto => ({
          start: p.start,
          end: p.end,
          time: new Date(p.start).toISOString(),
          tier: p.tier,
          final: p.final,
          ...p.stats,
        })),
      }));
    return {
      service: q.service,
      metric: q.metric,
      window: q.window,
      from,
      to,
      tags: q.tag,
      groupBy: q.groupBy ?? null,
      stats: q.stats,
      hotFrom: this.reader.seam(),
      series,
    };
  }
}
