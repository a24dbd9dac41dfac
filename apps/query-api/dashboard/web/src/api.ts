/** REST client of the query-api. The read key comes from the page (injected) or the user. */
import type {
  ApiErrorBody,
  DeadLettersResponse,
  MetricsResponse,
  OverviewResponse,
  SeriesResponse,
  SeriesWindow,
  SummaryResponse,
  TagsResponse,
} from '@streammetrics/query/api';

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
  ServiceOverview,
  SummaryResponse,
  TagsResponse,
} from '@streammetrics/query/api';

/** What the server puts in the page: a JSON data block, which the page's CSP lets through unexecuted. */
export interface PageConfig {
  apiKey: string | null;
  livePath: string;
}

let config: PageConfig | undefined;

export function pageConfig(): PageConfig {
  if (!config) {
    const text = document.getElementById('streammetrics-config')?.textContent;
    config = text ? (JSON.parse(text) as PageConfig) : { apiKey: null, livePath: '/api/v1/live' };
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
  ) {
    super(message);
  }
}

async function get<T>(path: string, params: Params = {}): Promise<T> {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
  }
  const res = await fetch(url, { headers: { Authorization: `Bearer ${apiKey() ?? ''}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as Partial<ApiErrorBody>;
    throw new ApiFailure(
      res.status,
      body.error?.code ?? String(res.status),
      body.error?.message ?? res.statusText,
    );
  }
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
};
