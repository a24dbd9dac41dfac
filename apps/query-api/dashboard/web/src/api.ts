/** REST client of the query-api. The read key comes from the page (injected) or the user. */

declare global {
  interface Window {
    __STREAMMETRICS__?: { apiKey: string | null; livePath: string };
  }
}

const STORAGE_KEY = 'streammetrics.apiKey';

export function apiKey(): string | null {
  return window.__STREAMMETRICS__?.apiKey ?? localStorage.getItem(STORAGE_KEY);
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

export async function get<T>(
  path: string,
  params: Record<string, string | string[] | number | undefined> = {},
): Promise<T> {
  const url = new URL(path, location.origin);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) url.searchParams.append(k, String(item));
  }
  const res = await fetch(url, { headers: { Authorization: `Bearer ${apiKey() ?? ''}` } });
  if (!res.ok) {
    const body = (await res.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    throw new ApiFailure(
      res.status,
      body.error?.code ?? String(res.status),
      body.error?.message ?? res.statusText,
    );
  }
  return (await res.json()) as T;
}

export interface Named {
  name: string;
  lastSeen: number;
  live: boolean;
}

export interface MetricOverview {
  metric: string;
  windowStart: number | null;
  rate: number | null;
  count: number;
  errorRatio: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  spark: { start: number; rate: number; p99: number | null }[];
}

export interface ServiceOverview {
  service: string;
  lastSeen: number;
  rate: number;
  metrics: MetricOverview[];
}

export interface Point {
  start: number;
  end: number;
  tier: 'hot' | 'cold';
  final: boolean;
  count?: number | null;
  rate?: number | null;
  p50?: number | null;
  p95?: number | null;
  p99?: number | null;
}

export interface SeriesResponse {
  window: string;
  from: number;
  to: number;
  hotFrom: number;
  series: { group: string | null; tags: Record<string, string>; points: Point[] }[];
}

export interface SummaryResponse {
  count: number;
  min: number | null;
  max: number | null;
  avg: number | null;
  windows: { hot: number; cold: number };
  quantiles: { q: number; value: number | null }[];
}

export interface DeadLetter {
  reason: string;
  error: string;
  sourceTopic: string;
  time: number;
  key: string | null;
  valuePreview: string;
}

export interface DeadLettersResponse {
  recent: DeadLetter[];
  perMinute: { minute: number; counts: Record<string, number> }[];
  totals: Record<string, number>;
  late: number;
}
