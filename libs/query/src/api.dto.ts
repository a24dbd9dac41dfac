/**
 * The shapes the query API answers with, REST and WebSocket: what its clients may rely on. Types
 * only, importing nothing but the contract types (`@streammetrics/contracts/api`): the browser
 * dashboard imports this file with `import type` under its own tsconfig (DOM, no Node types), so
 * it must stay free of runtime code, NestJS and Node. The services return these types, so a change
 * here that the dashboard does not follow fails `npm run typecheck`.
 */
import type {
  DeadLetterSummary,
  ErrorBody,
  HotUpdate,
  RollupId,
  Stat,
  ValidationProblem,
  WindowId,
} from '@streammetrics/contracts/api';

export type { DeadLetterSummary, HotUpdate, RollupId, WindowId } from '@streammetrics/contracts/api';

/** Window sizes a series can be read in: the stream's windows and the rollups. */
export type SeriesWindow = WindowId | RollupId;

export type { Stat };

/** A window the series endpoint serves: one the processor computes, or a rollup of the sink. */
export interface SeriesWindowInfo {
  id: SeriesWindow;
  kind: 'tumbling' | 'hopping' | 'rollup';
  sizeMs: number;
  /** Between two window starts: the size, or a hopping window's advance. */
  stepMs: number;
  /** Whether the live WebSocket streams its updates (rollups are only read). */
  live: boolean;
}

export interface WindowsResponse {
  windows: SeriesWindowInfo[];
}

export type Tier = 'hot' | 'cold';

// ------------------------------------------------------------------ errors

/** A problem with one query parameter or message field. */
export type QueryProblem = Pick<ValidationProblem, 'field' | 'message'>;

/** The platform's one error body, as every REST answer and WebSocket error carries it. */
export type ApiErrorBody = ErrorBody;

// ------------------------------------------------------------------ discovery

export interface NamedItem {
  name: string;
  lastSeen: number;
  /** Seen in the hot tier, i.e. in the last hour. */
  live: boolean;
}

/** `GET /api/v1/services` */
export interface ServicesResponse {
  services: NamedItem[];
}

/** `GET /api/v1/services/:service/metrics` */
export interface MetricsResponse {
  service: string;
  metrics: NamedItem[];
}

/** `GET /api/v1/services/:service/metrics/:metric/tags` */
export interface TagsResponse {
  service: string;
  metric: string;
  /** Tag key -> every value seen, sorted. */
  keys: Record<string, string[]>;
  tagSets: number;
}

// ------------------------------------------------------------------ series and summary

/** One point of a series: where it lies and came from, and the statistics the query asked for. */
export interface SeriesPointDto extends Partial<Record<Stat, number | null>> {
  /** Window start, epoch ms. */
  start: number;
  end: number;
  time: string;
  tier: Tier;
  final: boolean;
}

/** `GET /api/v1/series` */
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

/** `GET /api/v1/summary` */
export interface SummaryResponse {
  service: string;
  metric: string;
  from: number;
  to: number;
  tags: Record<string, string>;
  /** Stored 1m windows merged, per tier. */
  windows: { hot: number; cold: number };
  count: number;
  sum: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  quantiles: { q: number; value: number | null }[];
}

// ------------------------------------------------------------------ dashboard data

export interface MetricOverview {
  metric: string;
  /** Start of the 1m window the numbers describe (the newest final one, else the newest). */
  windowStart: number | null;
  /** Events per second. */
  rate: number | null;
  count: number;
  /** Share of events whose tags mark an error (HTTP status >= 500, error=true). */
  errorRatio: number | null;
  /** Percentiles of the events that are not errors: failed requests often fail fast and hide latency. */
  p50: number | null;
  p95: number | null;
  p99: number | null;
  /** Rate and p99 of the last 30 minutes (1m windows), for sparklines. */
  spark: { start: number; rate: number; p99: number | null }[];
}

export interface ServiceOverview {
  service: string;
  lastSeen: number;
  rate: number;
  metrics: MetricOverview[];
}

/** `GET /api/v1/overview` */
export interface OverviewResponse {
  services: ServiceOverview[];
}

/** `GET /api/v1/dead-letters` */
export interface DeadLettersResponse {
  recent: DeadLetterSummary[];
  /** One entry per minute, oldest first: reason -> count. */
  perMinute: { minute: number; counts: Record<string, number> }[];
  totals: Record<string, number>;
  /** Events that arrived after every window they belonged to had closed. */
  late: number;
}

// ------------------------------------------------------------------ live WebSocket

/** Window sizes a live subscription can name (the rollups are not streamed). */
export type LiveWindow = WindowId;

/** Client → server messages; live.protocol.ts validates them (and checks its schema matches). */
export type ClientMessage =
  | { type: 'auth'; apiKey: string }
  | SubscribeMessage
  | { type: 'unsubscribe'; id: string }
  | { type: 'ping' };

export interface SubscribeMessage {
  type: 'subscribe';
  /** Client-chosen id echoed on every update; generated when absent. */
  id?: string;
  service: string;
  /** Absent: every metric of the service (a whole-service subscription). */
  metric?: string;
  /** Absent: every window size. */
  window?: LiveWindow;
  /** The exact tag set of one series; {} (default) is the service-level rollup. Ignored without metric. */
  tags?: Record<string, string>;
}

export interface Subscription {
  id: string;
  service: string;
  metric?: string;
  window?: WindowId;
  /** tagsKey() of the series ("" for the rollup); undefined for a whole-service subscription. */
  tagsKey?: string;
  tags?: Record<string, string>;
}

/** Server → client messages. */
export type ServerMessage =
  | { type: 'welcome'; session: string; resumeToken: string; resumed: boolean; subscriptions: Subscription[] }
  | { type: 'subscribed'; subscription: Subscription }
  | { type: 'unsubscribed'; id: string }
  | {
      type: 'update';
      /** Ids of the client's subscriptions this update matches. */
      subscriptions: string[];
      /** How many older updates of the same series this one replaced while the client was slow. */
      coalesced: number;
      update: HotUpdate;
    }
  | ({ type: 'error' } & ApiErrorBody)
  | { type: 'pong' };
