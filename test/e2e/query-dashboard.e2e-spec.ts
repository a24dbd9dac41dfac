import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { Page } from 'playwright-core';
import { ApiKeyRepository, ApiKeyService } from '@streammetrics/auth';
import {
  DLQ_RECENT_KEY,
  dlqCountsKey,
  encodeHotUpdate,
  updatesChannel,
  type DeadLetterSummary,
} from '@streammetrics/contracts';
import { testEnv, uniqueName } from '@streammetrics/testing';
import { openDashboardBrowser, type DashboardBrowser } from '../support/browser';
import {
  aggregate,
  Redis,
  rng,
  startQueryApi,
  writeCold,
  writeHot,
  type Aggregate,
  type RunningQueryApi,
} from '../../libs/query/src/testing/query.fixtures';

const ROOT = join(__dirname, '..', '..');
const ARTIFACTS = join(ROOT, 'test', 'artifacts');
const MINUTE = 60_000;
/** A Redis database of its own, so the overview shows exactly the services this test writes. */
const REDIS_DB = 11;

const SERVICES: { name: string; metrics: { name: string; base: number; rps: number }[] }[] = [
  {
    name: 'checkout-api',
    metrics: [
      { name: 'http.server.duration', base: 48, rps: 42 },
      { name: 'db.query.duration', base: 6, rps: 120 },
    ],
  },
  {
    name: 'payments-api',
    metrics: [
      { name: 'http.server.duration', base: 120, rps: 18 },
      { name: 'psp.call.duration', base: 310, rps: 9 },
    ],
  },
  { name: 'inventory-api', metrics: [{ name: 'http.server.duration', base: 22, rps: 65 }] },
  {
    name: 'search-api',
    metrics: [
      { name: 'http.server.duration', base: 75, rps: 30 },
      { name: 'index.lookup.duration', base: 3, rps: 210 },
    ],
  },
];

/** Latency-like values: a log-normal-ish body with a diurnal wave and a rare slow tail. */
function minuteValues(random: () => number, base: number, n: number, minute: number): number[] {
  const wave = 1 + 0.25 * Math.sin(minute / 37) + 0.1 * Math.sin(minute / 7);
  return Array.from({ length: n }, () => {
    const v = base * wave * Math.exp((random() - 0.5) * 0.9);
    return Math.round((random() < 0.01 ? v * 4 : v) * 10) / 10;
  });
}

describe('dashboard in headless Chromium', () => {
  const env = testEnv();
  const redisUrl = `${env.redisUrl.replace(/\/\d*$/, '')}/${REDIS_DB}`;
  const pg = new Pool({ connectionString: env.databaseUrl, max: 2 });
  const redis = new Redis(redisUrl);
  const dashboardKey = `sm_dash_${uniqueName('k').replace(/-/g, '')}`;
  let api: RunningQueryApi;
  let browser: DashboardBrowser | undefined;
  let page: Page;
  const now = Date.now();
  const nowMinute = Math.floor(now / MINUTE) * MINUTE;

  beforeAll(async () => {
    await redis.flushdb();
    const random = rng(7);
    const cold: Aggregate[] = [];
    // 26 hours of 1m windows (rollup and two endpoints), and the 5m and 15m windows over the same
    // values, in PostgreSQL; the newest hour also in Redis, as the sink keeps it.
    const hot: Aggregate[] = [];
    for (const svc of SERVICES) {
      for (const m of svc.metrics) {
        const sets = [
          {},
          { endpoint: '/v1/orders', statusCode: '200' },
          { endpoint: '/v1/orders', statusCode: '503' },
        ];
        const buckets = new Map<
          string,
          { tags: Record<string, string>; start: number; size: '5m' | '15m'; values: number[] }
        >();
        for (let i = 26 * 60; i >= 1; i--) {
          const start = nowMinute - i * MINUTE;
          const n = Math.max(4, Math.round(m.rps * 6 * (1 + 0.2 * Math.sin(i / 50))));
          const ok = minuteValues(random, m.base, n, i);
          const failed = minuteValues(random, m.base * 0.4, Math.max(1, Math.round(n * 0.02)), i);
          [ok.concat(failed), ok, failed].forEach((values, k) => {
            const tags = sets[k] as Record<string, string>;
            const w = aggregate(svc.name, m.name, tags, '1m', start, values);
            cold.push(w);
            if (i <= 60) hot.push(w);
            for (const [size, ms] of [
              ['5m', 5 * MINUTE],
              ['15m', 15 * MINUTE],
            ] as const) {
              const b = Math.floor(start / ms) * ms;
              const key = `${size}|${k}|${b}`;
              const bucket = buckets.get(key) ?? { tags, start: b, size, values: [] };
              bucket.values.push(...values);
              buckets.set(key, bucket);
            }
          });
        }
        for (const b of buckets.values()) {
          const w = aggregate(
            svc.name,
            m.name,
            b.tags,
            b.size,
            b.start,
            b.values,
            b.start + (b.size === '5m' ? 5 : 15) * MINUTE <= now,
          );
          cold.push(w);
          if (b.start >= now - 60 * MINUTE) hot.push(w);
        }
      }
    }
    for (const w of hot) await writeHot(redis, w);
    await writeCold(pg, cold);
    const reasons = ['LATE_EVENT', 'LATE_EVENT', 'LATE_EVENT', 'SCHEMA_VIOLATION', 'UNPARSEABLE'];
    for (let i = 0; i < 40; i++) {
      const minute = nowMinute - (i % 45) * MINUTE;
      const reason = reasons[i % reasons.length]!;
      await redis.hincrby(dlqCountsKey(minute), reason, 1 + (i % 3));
      const dl: DeadLetterSummary = {
        reason,
        error:
          reason === 'LATE_EVENT'
            ? 'event 74 s behind stream time, every window closed'
            : 'value: must be a finite number',
        sourceTopic: 'metrics-events',
        sourcePartition: i % 6,
        sourceOffset: String(1000 + i),
        time: minute + 17_000,
        key: 'checkout-api',
        valuePreview:
          '{"eventId":"6f1c2b1e","serviceId":"checkout-api","metricName":"http.server.duration","value":245.5}',
      };
      await redis.rpush(DLQ_RECENT_KEY, JSON.stringify(dl));
    }
    await new ApiKeyService(new ApiKeyRepository(pg), { pepper: LOCAL_API_KEY_PEPPER }).ensure(dashboardKey, {
      name: 'dashboard-test',
      clientId: 'dashboard',
      scopes: ['read'],
    });
    // The page is built the way `npm start` builds it on a fresh clone (into a private folder).
    api = await startQueryApi(
      {
        ...process.env,
        DATABASE_URL: env.databaseUrl,
        REDIS_URL: redisUrl,
        DASHBOARD_API_KEY: dashboardKey,
        DASHBOARD_BUILD_ON_START: 'true',
      },
      120_000,
    );
    browser = await openDashboardBrowser({ width: 1680, height: 1000 });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await pg.end();
    await redis.flushdb();
    redis.disconnect();
  });

  it('shows the services overview and the dead-letter panel', async () => {
    await page.goto(api.url + '/');
    await page.waitForSelector('[data-service="payments-api"]');
    expect(await page.locator('.card').count()).toBe(SERVICES.length);
    await page.waitForSelector('.dlq .recent li');
    expect(Number(await page.locator('[data-testid="dlq-total"]').textContent())).toBeGreaterThan(0);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-overview.png') });
  });

  it('charts a service with live updates and reaches into history with the range picker', async () => {
    await page.click('[data-service="checkout-api"]');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="latency-chart"]')?.getAttribute('data-points')) > 30,
    );
    await page.waitForSelector('.live[data-state="live"]');
    // An update the sink would publish, for the window in progress.
    const metricShown = await page.locator('#metric').inputValue();
    const base = SERVICES[0]?.metrics.find((m) => m.name === metricShown)?.base ?? 10;
    const live = aggregate(
      'checkout-api',
      metricShown,
      {},
      '1m',
      nowMinute,
      minuteValues(rng(9), base, 400, 0),
      false,
    );
    await page.waitForTimeout(300); // the subscription is sent right after the first load
    await redis.publish(updatesChannel(REDIS_DB), encodeHotUpdate('1m', live));
    await page.waitForFunction(() => Number(document.body.dataset.liveUpdates) >= 1);
    expect(Number(await page.evaluate(() => document.body.dataset.lastUpdate))).toBe(nowMinute);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-service-1h.png') });

    await page.click('button[data-range="24h"]');
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="latency-chart"]')?.getAttribute('data-points')) > 80,
    );
    const tiers = (await page.locator('#tiers').textContent()) ?? '';
    const [, total, , coldPoints] =
      /(\d+) points · (\d+) from Redis \(hot\) · (\d+) from PostgreSQL/.exec(tiers) ?? [];
    expect(Number(total)).toBeGreaterThan(80);
    expect(Number(coldPoints)).toBeGreaterThan(0);
    // The summary tiles (p99.9 over 24 h: 1,440 digests merged) fill in last.
    await page.waitForFunction(() =>
      /over 24h/.test(document.querySelector('#tile-p999 label')?.textContent ?? ''),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-service-24h.png') });
  });

  it('draws every y-axis label of the charts whole, even for latencies in seconds', async () => {
    await page.goto(`${api.url}/#/service/payments-api?metric=psp.call.duration&range=1h`);
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="latency-chart"]')?.getAttribute('data-points')) > 30,
    );
    await page.waitForSelector('.live[data-state="live"]');
    await page.waitForTimeout(300); // the subscription is sent right after the first load
    const before = Number(await page.evaluate(() => document.body.dataset.liveUpdates ?? 0));
    // A slow minute: p99 near 4 s, so the latency axis reads up to "4000 ms" (the widest label).
    const slow = Array.from({ length: 400 }, (_, i) => 3000 + (i % 100) * 10);
    const update = aggregate('payments-api', 'psp.call.duration', {}, '1m', nowMinute, slow, false);
    await redis.publish(updatesChannel(REDIS_DB), encodeHotUpdate('1m', update));
    await page.waitForFunction((n) => Number(document.body.dataset.liveUpdates) > n, before);
    await page.waitForFunction(() =>
      /4000 ms/.test(
        document.querySelector('[data-testid="latency-chart"]')?.getAttribute('data-y-axis') ?? '',
      ),
    );
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-service-slow.png') });
    // uPlot draws the y labels on the canvas, right-aligned at (plot left - tick - gap): a label
    // wider than that room starts left of the canvas and loses its first digits ("000 ms").
    const charts = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLElement>('.chart')).map((el) => {
        const axis = JSON.parse(el.dataset.yAxis ?? '{}') as {
          font: string;
          tickSize: number;
          gap: number;
          labels: string[];
        };
        const ctx = document.createElement('canvas').getContext('2d') as CanvasRenderingContext2D;
        ctx.font = axis.font;
        const widest = Math.max(...axis.labels.map((l) => ctx.measureText(l).width));
        const plotLeft = (el.querySelector('.u-over') as HTMLElement).offsetLeft;
        return { chart: el.id, labels: axis.labels, needed: widest + axis.tickSize + axis.gap, plotLeft };
      }),
    );
    expect(charts.map((c) => [c.chart, c.labels.length > 1])).toEqual([
      ['latency', true],
      ['rate', true],
    ]);
    expect(charts.find((c) => c.chart === 'latency')?.labels).toContain('4000 ms');
    // Every chart whose widest label needs more room than the axis has (none).
    expect(charts.filter((c) => c.needed > c.plotLeft)).toEqual([]);
  });
});
