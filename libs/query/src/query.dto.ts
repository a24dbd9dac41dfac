import { z } from 'zod';
import {
  canonicalTags,
  STATS,
  WINDOW_SPECS,
  windowSpec,
  type RollupId,
  type Stat,
} from '@streammetrics/contracts';
import { ApiError, type QueryProblem } from './api-error';
import type { SeriesWindow } from './api.dto';

export type { SeriesWindow } from './api.dto';

/** Query-string schemas of the REST API. One parse reports every problem at once (400). */

const ROLLUP_MS: Record<RollupId, number> = { '1h': 3_600_000, '1d': 86_400_000 };

/** The windows a series can be read at: the configured windows, then the hourly and daily rollups. */
export function seriesWindows(): SeriesWindow[] {
  return [...WINDOW_SPECS.map((w) => w.id), ...(Object.keys(ROLLUP_MS) as RollupId[])];
}

export { STATS, type Stat };

/** Step between two window starts (a hopping window's advance). */
export function windowStepMs(w: SeriesWindow): number {
  return ROLLUP_MS[w as RollupId] ?? windowSpec(w).advanceMs;
}

export function windowSizeMs(w: SeriesWindow): number {
  return ROLLUP_MS[w as RollupId] ?? windowSpec(w).sizeMs;
}

/** More points than this per series is a mistake (or a denial of service): pick a coarser window. */
export const MAX_POINTS_PER_SERIES = 10_000;
/** A summary merges at most this many 1m windows (31 days). */
export const MAX_SUMMARY_RANGE_MS = 31 * 86_400_000;

const NAME = /^[A-Za-z0-9._-]{1,200}$/;
const name = (what: string) =>
  z.string({ error: `${what} is required` }).regex(NAME, `${what} must match ${NAME.source}`);

/** Epoch milliseconds or an ISO-8601 timestamp. */
const instant = z.union([z.string(), z.number()]).transform((v, ctx) => {
  const s = String(v).trim();
  const n = /^-?\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(n) || n < 0) {
    ctx.addIssue({ code: 'custom', message: 'must be epoch milliseconds or an ISO-8601 timestamp' });
    return z.NEVER;
  }
  return n;
});

const list = (v: unknown) =>
  (Array.isArray(v) ? v : [v])
    .flatMap((s) => String(s).split(','))
    .map((s) => s.trim())
    .filter((s) => s !== '');

/** `tag=key:value`, repeatable; a value may itself contain ':' and ','. */
const tagFilter = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v, ctx) => {
    const out: Record<string, string> = {};
    for (const item of v === undefined ? [] : Array.isArray(v) ? v : [v]) {
      const i = item.indexOf(':');
      if (i <= 0 || i > 256 || item.length - i - 1 > 256) {
        ctx.addIssue({
          code: 'custom',
          message: `"${item}" must be key:value (each at most 256 characters)`,
        });
        continue;
      }
      out[item.slice(0, i)] = item.slice(i + 1);
    }
    if (Object.keys(out).length > 32) ctx.addIssue({ code: 'custom', message: 'at most 32 tag filters' });
    return canonicalTags(out);
  });

const statList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return [...STATS];
    const out: Stat[] = [];
    for (const s of list(v)) {
      if ((STATS as readonly string[]).includes(s)) out.push(s as Stat);
      else ctx.addIssue({ code: 'custom', message: `unknown statistic "${s}" (one of ${STATS.join(', ')})` });
    }
    return out.length ? out : [...STATS];
  });

/** Quantiles as fractions (0.999) or percentile names (p99.9); any q in [0, 1]. */
export function parseQuantile(s: string): number | undefined {
  const m = /^p(\d{1,3}(?:\.\d+)?)$/i.exec(s);
  // toPrecision drops the binary noise of the division: p99.9 is 0.999, not 0.9990000000000001.
  const q = m
    ? Number((Number(m[1]) / 100).toPrecision(12))
    : /^(0(\.\d+)?|1(\.0+)?)$/.test(s)
      ? Number(s)
      : NaN;
  return q >= 0 && q <= 1 ? q : undefined;
}

const quantileList = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v, ctx) => {
    if (v === undefined) return [0.5, 0.95, 0.99];
    const out: number[] = [];
    for (const s of list(v)) {
      const q = parseQuantile(s);
      if (q === undefined)
        ctx.addIssue({ code: 'custom', message: `"${s}" is not a quantile in [0, 1] or pNN` });
      else out.push(q);
    }
    if (out.length > 50) ctx.addIssue({ code: 'custom', message: 'at most 50 quantiles' });
    return out.length ? out : [0.5, 0.95, 0.99];
  });

function orderedRange(ctx: z.RefinementCtx, from: number | undefined, to: number | undefined): boolean {
  if (from !== undefined && to !== undefined && from >= to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'must be before "to"' });
    return false;
  }
  return true;
}

export const seriesQuerySchema = z
  .object({
    service: name('service'),
    metric: name('metric'),
    // Checked when a request comes, not when this module loads: the windows are configuration.
    window: z
      .string()
      .default('1m')
      .superRefine((w, ctx) => {
        if (!seriesWindows().includes(w)) {
          ctx.addIssue({ code: 'custom', message: `window must be one of ${seriesWindows().join(', ')}` });
        }
      }),
    from: instant.optional(),
    to: instant.optional(),
    tag: tagFilter,
    groupBy: z
      .string()
      .regex(/^[^\s]{1,256}$/, 'groupBy must be a tag key')
      .optional(),
    stats: statList,
  })
  .superRefine((q, ctx) => {
    if (!orderedRange(ctx, q.from, q.to) || q.from === undefined || q.to === undefined) return;
    const points = (q.to - q.from) / windowStepMs(q.window);
    if (points > MAX_POINTS_PER_SERIES) {
      ctx.addIssue({
        code: 'custom',
        path: ['window'],
        message: `range holds ${Math.ceil(points)} ${q.window} windows, more than ${MAX_POINTS_PER_SERIES}: choose a coarser window`,
      });
    }
  });
export type SeriesQuery = z.output<typeof seriesQuerySchema>;

export const summaryQuerySchema = z
  .object({
    service: name('service'),
    metric: name('metric'),
    from: instant.optional(),
    to: instant.optional(),
    tag: tagFilter,
    q: quantileList,
  })
  .superRefine((q, ctx) => {
    if (!orderedRange(ctx, q.from, q.to) || q.from === undefined || q.to === undefined) return;
    if (q.to - q.from > MAX_SUMMARY_RANGE_MS) {
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'a summary covers at most 31 days' });
    }
  });
export type SummaryQuery = z.output<typeof summaryQuerySchema>;

/** MetricStream's `GET /api/query?name=&start=&end=`; `service` narrows it to one service. */
export const metricStreamQuerySchema = z
  .object({
    name: name('name'),
    start: instant,
    end: instant,
    service: name('service').optional(),
  })
  .superRefine((q, ctx) => {
    if (q.start >= q.end) ctx.addIssue({ code: 'custom', path: ['start'], message: 'must be before "end"' });
    else if (q.end - q.start > MAX_POINTS_PER_SERIES * 60_000) {
      ctx.addIssue({ code: 'custom', path: ['start'], message: `at most ${MAX_POINTS_PER_SERIES} minutes` });
    }
  });
export type MetricStreamQuery = z.output<typeof metricStreamQuerySchema>;

export const serviceParamsSchema = z.object({ service: name('service') });
export const metricParamsSchema = z.object({ service: name('service'), metric: name('metric') });

export const deadLetterQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  minutes: z.coerce.number().int().min(1).max(1440).default(60),
});

/** Parses `raw` or throws a 400 listing every problem, each with its parameter name. */
export function parseQuery<S extends z.ZodType>(schema: S, raw: unknown): z.output<S> {
  const r = schema.safeParse(raw ?? {});
  if (r.success) return r.data;
  const problems: QueryProblem[] = r.error.issues.map((i) => ({
    field: i.path.map(String).join('.') || '(query)',
    message: i.message,
  }));
  throw ApiError.invalid(problems);
}
