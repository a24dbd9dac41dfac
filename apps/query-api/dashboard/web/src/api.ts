/** REST client of the query-api. The read key comes from the page (injected) or the user. */
import type {
  ApiErrorBody,
  DeadLettersResponse,
  MetricsResponse,
  OverviewResponse,
  SeriesResponse,
  SeriesWindow,
  SeriesWindowInfo,
  SummaryResponse,
  TagsResponse,
} from '@streammetrics/query/api';
import type { Alert, AlertHistoryEntry, AlertRule } from '@streammetrics/contracts/api';

export type { Alert, AlertHistoryEntry, AlertRule, AlertRuleSpec } from '@streammetrics/contracts/api';

/** The answers' types are the server's own (libs/query/src/api.dto.ts), imported as types only. */
export type {
  DeadLettersResponse,
  DeadLetterSummary,
  MetricOverview,
  MetricsResponse,
  NamedItem,
  OverviewResponse,
  SeriesPointDto,
  SeriesResponse,
  SeriesWindow,
  SeriesWindowInfo,
  ServiceOverview,
  SummaryResponse,
  TagsResponse,
} from '@streammetrics/query/api';

/** What the server puts in the page: a JSON data block, which the page's CSP lets through unexecuted. */
export interface PageConfig {
  apiKey: string | null;
  livePath: string;
  /** The windows this deployment serves (WINDOWS and the rollups), for the range picker. */
  windows: SeriesWindowInfo[];
}

let config: PageConfig | undefined;

export function pageConfig(): PageConfig {
  if (!config) {
    const text = document.getElementById('streammetrics-config')?.textContent;
    config = text
      ? (JSON.parse(text) as PageConfig)
      : { apiKey: null, livePath: '/api/v1/live', windows: [] };
  }
  return config;
}

const STORAGE_KEY = 'streammetrics.apiKey';

export function apiKey(): string | null {
  return pageConfig().apiKey ?? localStorage.getItem(STORAGE_KEY);
}

export function rememberKey(key: string): void {
  localStorage.setItem(STORAGE_KEY, key);
}

export function forgetKey(): void {
  localStorage.removeItem(STORAGE_KEY);
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** The error body as the server sent it (with its problems), when it sent one. */
    readonly body?: ApiErrorBody,
  ) {
    super(message);
  }
}

async function failure(res: Response): Promise<ApiFailure> {
  const body = (await res.json().catch(() => undefined)) as ApiErrorBody | undefined;
  return new ApiFailure(
    res.status,
    body?.error?.code ?? String(res.status),
    body?.error?.message ?? res.statusText,
    body?.error ? body : undefined,
  );
}

async function get<T>(path: string, params: Params = {}): Promise<T> {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
  }
  const res = await fetch(url, { headers: { Authorization: `Bearer ${apiKey() ?? ''}` } });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

/** A JSON POST; `key` overrides the page's key (writes need an admin key, the page's is read-only). */
async function post<T>(path: string, body: unknown, key?: string): Promise<T> {
  const res = await fetch(new URL(path, location.origin), {
    method: 'POST',
    headers: { Authorization: `Bearer ${key || apiKey() || ''}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw await failure(res);
  return (await res.json()) as T;
}

type Params = Record<string, string | string[] | number | undefined>;
const seg = encodeURIComponent;

/** The endpoints the dashboard reads, each with the server's answer type. */
export const api = {
  overview: () => get<OverviewResponse>('/api/v1/overview'),
  deadLetters: (q: { limit: number; minutes: number }) => get<DeadLettersResponse>('/api/v1/dead-letters', q),
  metrics: (service: string) => get<MetricsResponse>(`/api/v1/services/${seg(service)}/metrics`),
  tags: (service: string, metric: string) =>
    get<TagsResponse>(`/api/v1/services/${seg(service)}/metrics/${seg(metric)}/tags`),
  series: (q: {
    service: string;
    metric: string;
    window: SeriesWindow;
    from: number;
    to: number;
    tag: string[];
    stats: string;
  }) => get<SeriesResponse>('/api/v1/series', q satisfies Params),
  summary: (q: { service: string; metric: string; from: number; to: number; tag: string[]; q: string }) =>
    get<SummaryResponse>('/api/v1/summary', q satisfies Params),
  alerts: (q: { service?: string } = {}) => get<{ alerts: Alert[] }>('/api/v1/alerts', q),
  alertHistory: (q: { service?: string; limit?: number }) =>
    get<{ entries: AlertHistoryEntry[] }>('/api/v1/alerts/history', q),
  alertRules: () => get<{ rules: AlertRule[] }>('/api/v1/alert-rules'),
  createRule: (spec: unknown, key?: string) => post<AlertRule>('/api/v1/alert-rules', spec, key),
};
