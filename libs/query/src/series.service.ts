import { Inject, Injectable } from '@nestjs/common';
import { CLOCK, type Clock, QUANTILE_STAT_NAMES } from '@streammetrics/contracts';
import type { TagSelector } from './cold-store.repository';
import { windowSizeMs, windowStepMs, type SeriesQuery, type Stat } from './query.dto';
import { mergeWindows, toPoints, type SeriesPoint, type StoredWindow } from './series.point';
import { PointsBodyCache } from './points-body.cache';
import { TieredReader } from './tiered.reader';
import type { SeriesPointDto, SeriesResponse } from './api.dto';
export type { SeriesPointDto, SeriesResponse } from './api.dto';

const COMMA = Buffer.from(',');
/** Bytes of written point lists kept (PointsBodyCache): a few MB for many dashboards' series. */
const POINTS_BODY_BYTES = 16 * 1024 * 1024;

@Injectable()
export class SeriesService {
  private readonly windowPoints = new WeakMap<StoredWindow, { stats: string; point: SeriesPointDto }>();
  private readonly pointJson = new WeakMap<SeriesPointDto, Buffer>();
  private readonly pointsBodies = new PointsBodyCache(POINTS_BODY_BYTES);

  constructor(
    private readonly reader: TieredReader,
    @Inject(CLOCK) private readonly clock: Clock,
  ) {}

  async series(q: SeriesQuery): Promise<SeriesResponse> {
    const to = q.to ?? this.clock.now();
    const from = q.from ?? to - Math.max(3_600_000, 60 * windowStepMs(q.window));
    const filtered = Object.keys(q.tag).length > 0 || q.groupBy !== undefined;
    const selector: TagSelector = filtered
      ? { kind: 'filter', tags: q.tag, groupBy: q.groupBy }
      : { kind: 'rollup' };
    // Digests are only needed when several tag sets are merged into one point.
    const withDigest = filtered && q.stats.some((s) => (QUANTILE_STAT_NAMES as readonly Stat[]).includes(s));
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
    const sizeMs = windowSizeMs(q.window);
    const series = [...groups.entries()]
      .sort(([a], [b]) => String(a).localeCompare(String(b)))
      .map(([group, ws]) => ({
        group,
        tags: group === null ? q.tag : { ...q.tag, [q.groupBy as string]: group },
        points: this.points(ws, sizeMs, q.stats),
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

  /**
   * The same answer as `series`, already serialised: UTF-8 JSON, byte for byte what JSON.stringify
   * makes of it. The points of unchanged windows are formatted and encoded once, not on every
   * request, and so is the list of a series whose points are all unchanged (PointsBodyCache); the
   * answer is put together by copying bytes.
   */
  async seriesBody(q: SeriesQuery): Promise<Buffer> {
    const r = await this.series(q);
    const parts: Buffer[] = [];
    const head = `${r.service}\u0000${r.metric}\u0000${r.window}\u0000${r.stats.join(',')}\u0000`;
    let text =
      `{"service":${JSON.stringify(r.service)},"metric":${JSON.stringify(r.metric)},"window":${JSON.stringify(r.window)}` +
      `,"from":${r.from},"to":${r.to},"tags":${JSON.stringify(r.tags)},"groupBy":${JSON.stringify(r.groupBy)}` +
      `,"stats":${JSON.stringify(r.stats)},"hotFrom":${r.hotFrom},"series":[`;
    r.series.forEach((g, i) => {
      const tags = JSON.stringify(g.tags);
      text += `${i > 0 ? ',' : ''}{"group":${JSON.stringify(g.group)},"tags":${tags},"points":[`;
      parts.push(Buffer.from(text));
      parts.push(this.pointsBodies.get(head + tags, g.points, () => this.writePoints(g.points)));
      text = ']}';
    });
    parts.push(Buffer.from(`${text}]}`));
    return Buffer.concat(parts);
  }

  /** `p1,p2,…` of a series' points, each point's JSON written once. */
  private writePoints(points: readonly SeriesPointDto[]): Buffer {
    const parts: Buffer[] = [];
    points.forEach((p, j) => {
      if (j > 0) parts.push(COMMA);
      let json = this.pointJson.get(p);
      if (json === undefined) {
        json = Buffer.from(JSON.stringify(p));
        this.pointJson.set(p, json);
      }
      parts.push(json);
    });
    return Buffer.concat(parts);
  }

  /**
   * Points by start, ascending. A point of one stored window is a pure function of that window and
   * the statistics asked, so it is kept with the window (hot windows are shared across requests,
   * see HotWindowCache) and handed out again; points are read-only.
   */
  private points(windows: readonly StoredWindow[], sizeMs: number, stats: readonly Stat[]): SeriesPointDto[] {
    let ascending = true;
    for (let i = 1; i < windows.length && ascending; i++)
      ascending = (windows[i] as StoredWindow).start > (windows[i - 1] as StoredWindow).start;
    if (!ascending) return toPoints(windows, sizeMs, stats).map(toDto);
    const key = stats.join(',');
    const out = new Array<SeriesPointDto>(windows.length);
    for (let i = 0; i < windows.length; i++) {
      const w = windows[i] as StoredWindow;
      const memo = this.windowPoints.get(w);
      if (memo?.stats === key) out[i] = memo.point;
      else {
        const point = toDto(mergeWindows([w], sizeMs, stats));
        this.windowPoints.set(w, { stats: key, point });
        out[i] = point;
      }
    }
    return out;
  }
}

function toDto(p: SeriesPoint): SeriesPointDto {
  return {
    start: p.start,
    end: p.end,
    time: new Date(p.start).toISOString(),
    tier: p.tier,
    final: p.final,
    ...p.stats,
  };
}
