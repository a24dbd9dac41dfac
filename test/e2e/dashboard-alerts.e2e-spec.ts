import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Pool } from 'pg';
import type { Page } from 'playwright-core';
import { AlertRulesRepository } from '@streammetrics/alerting';
import { ApiKeyRepository, ApiKeyService } from '@streammetrics/auth';
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
/** A Redis database of its own (the other dashboard spec flushes 11). */
const REDIS_DB = 13;
const METRIC = 'http.server.duration';

/**
 * The dashboard's alerting views in headless Chromium against the real query-api: alert states and
 * history as the evaluator leaves them in PostgreSQL, an hour of windows for the charts.
 */
describe('dashboard alerts in headless Chromium', () => {
  const env = testEnv();
  const redisUrl = `${env.redisUrl.replace(/\/\d*$/, '')}/${REDIS_DB}`;
  const pg = new Pool({ connectionString: env.databaseUrl, max: 2 });
  const redis = new Redis(redisUrl);
  const keys = new ApiKeyService(new ApiKeyRepository(pg), { pepper: LOCAL_API_KEY_PEPPER });
  const dashboardKey = `sm_dash_${uniqueName('k').replace(/-/g, '')}`;
  const service = uniqueName('alerted-api');
  const quiet = uniqueName('quiet-api');
  const now = Date.now();
  const nowMinute = Math.floor(now / MINUTE) * MINUTE;
  /** The alert fired 45 min ago and resolved 10 min later, then fired again 20 min ago. */
  const firstFired = nowMinute - 45 * MINUTE;
  const firstResolved = nowMinute - 35 * MINUTE;
  const firedNow = nowMinute - 20 * MINUTE;
  let api: RunningQueryApi;
  let browser: DashboardBrowser | undefined;
  let page: Page;
  let ruleName: string;
  let firing: string;
  let pending: string;
  let adminKey: string;

  beforeAll(async () => {
    await redis.flushdb();
    const random = rng(3);
    const windows: Aggregate[] = [];
    for (const svc of [service, quiet]) {
      for (let i = 60; i >= 1; i--) {
        const values = Array.from({ length: 40 }, () => Math.round((30 + random() * 90) * 10) / 10);
        windows.push(aggregate(svc, METRIC, {}, '1m', nowMinute - i * MINUTE, values));
      }
    }
    await writeCold(pg, windows);
    for (const w of windows) await writeHot(redis, w);

    ruleName = uniqueName('checkout p99 over 100 ms');
    const rule = await new AlertRulesRepository(pg).create({
      name: ruleName,
      service,
      metric: METRIC,
      window: '1m',
      stat: 'p99',
      op: '>',
      threshold: 100,
      for: '2m',
      receivers: ['http://127.0.0.1:9/hook'],
    });
    firing = `${rule.id}-f`.slice(0, 32);
    pending = `${rule.id}-p`.slice(0, 32);
    const labels = (endpoint: string) => ({
      alertname: ruleName,
      service,
      metric: METRIC,
      endpoint,
      severity: 'page',
    });
    const state = (
      fp: string,
      status: string,
      endpoint: string,
      value: number,
      since: number,
      starts: number | null,
    ) =>
      pg.query(
        `INSERT INTO alert_states (rule_id, series_key, fingerprint, topic, partition, labels, annotations, status,
           value, active_since, starts_at, last_window_end)
         VALUES ($1, $2, $3, 'metrics-aggregated-1m', 0, $4, '{}', $5, $6, $7, $8, $9)`,
        [rule.id, `series-${fp}`, fp, labels(endpoint), status, value, since, starts, nowMinute],
      );
    await state(pending, 'pending', '/refund', 104.5, nowMinute - 2 * MINUTE, null);
    await state(firing, 'firing', '/pay', 187.25, firedNow - 2 * MINUTE, firedNow);
    const steps: [string, string, number][] = [
      ['inactive', 'pending', firstFired - 2 * MINUTE],
      ['pending', 'firing', firstFired],
      ['firing', 'resolved', firstResolved],
      ['resolved', 'pending', firedNow - 2 * MINUTE],
      ['pending', 'firing', firedNow],
    ];
    for (const [from, to, at] of steps) {
      await pg.query(
        `INSERT INTO alert_history (rule_id, rule_name, fingerprint, labels, from_status, to_status, value, at)
         VALUES ($1, $2, $3, $4, $5, $6, 150, $7)`,
        [rule.id, ruleName, firing, labels('/pay'), from, to, at],
      );
    }

    await keys.ensure(dashboardKey, {
      name: 'dashboard-alerts-test',
      clientId: 'dashboard',
      scopes: ['read'],
    });
    adminKey = (await keys.create({ name: uniqueName('ui-admin'), clientId: 'ops', scopes: ['admin'] })).key;
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
    browser = await openDashboardBrowser({ width: 1680, height: 1100 });
    page = browser.page;
  });

  afterAll(async () => {
    await browser?.close();
    await api?.close();
    await pg.end();
    await redis.flushdb();
    redis.disconnect();
  });

  it('lists the firing alert on the overview, firing before pending', async () => {
    await page.goto(api.url + '/');
    const row = `[data-testid="alerts-panel"] tr[data-fingerprint="${firing}"]`;
    await page.waitForSelector(row);
    const text = (await page.locator(row).textContent()) ?? '';
    expect(text).toContain(ruleName);
    expect(text).toContain(service);
    expect(text).toContain('endpoint=/pay');
    expect(text).toContain('187');
    expect(await page.locator(row).getAttribute('data-status')).toBe('firing');
    const order = await page
      .locator('[data-testid="alerts-panel"] tr[data-fingerprint]')
      .evaluateAll((rows) => rows.map((r) => (r as HTMLElement).dataset.status));
    expect(order.indexOf('pending')).toBeGreaterThan(order.lastIndexOf('firing'));
    expect(order).toContain('pending');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-alerts-overview.png') });
  });

  it("shows a service's alerts and marks where they fired and resolved on its charts", async () => {
    await page.goto(`${api.url}/#/service/${service}?metric=${METRIC}&range=1h`);
    await page.waitForSelector(`[data-testid="service-alerts"] tr[data-fingerprint="${firing}"]`);
    expect(await page.locator('[data-testid="service-alerts"] tr[data-fingerprint]').count()).toBe(2);
    await page.waitForFunction(
      () => Number(document.querySelector('[data-testid="latency-chart"]')?.getAttribute('data-points')) > 30,
    );
    const latency = '[data-testid="latency-chart"] .alert-markers';
    await page.waitForSelector(`${latency} .alert-marker.fired`);
    const fired = await page
      .locator(`${latency} .alert-marker.fired`)
      .evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.at)));
    const resolved = await page
      .locator(`${latency} .alert-marker.resolved`)
      .evaluateAll((els) => els.map((e) => Number((e as HTMLElement).dataset.at)));
    expect(fired).toEqual([firstFired, firedNow]);
    expect(resolved).toEqual([firstResolved]);
    expect(await page.locator(`${latency} .alert-band`).count()).toBe(2);
    // The marks sit on the time axis where their times are: in order, inside the plot.
    const xs = await page.locator(`${latency} .alert-marker`).evaluateAll((els) =>
      els.map((e) => ({
        at: Number((e as HTMLElement).dataset.at),
        left: (e as HTMLElement).offsetLeft,
        width: (e.parentElement as HTMLElement).clientWidth,
      })),
    );
    const byTime = [...xs].sort((a, b) => a.at - b.at);
    for (let i = 1; i < byTime.length; i++)
      expect(byTime[i]?.left ?? 0).toBeGreaterThan(byTime[i - 1]?.left ?? 0);
    for (const x of xs) {
      expect(x.left).toBeGreaterThan(0);
      expect(x.left).toBeLessThan(x.width);
    }
    // The throughput chart carries the same marks.
    expect(await page.locator('[data-testid="rate-chart"] .alert-marker').count()).toBe(3);
    await page.screenshot({ path: join(ARTIFACTS, 'dashboard-alerts-service.png') });

    await page.goto(`${api.url}/#/service/${quiet}?metric=${METRIC}&range=1h`);
    await page.waitForSelector('[data-testid="service-alerts"] [data-testid="alerts-empty"]');
    expect(await page.locator('[data-testid="service-alerts"]').textContent()).toContain('No alerts firing');
    expect(await page.locator('[data-testid="latency-chart"] .alert-marker').count()).toBe(0);
  });

  it('adds a rule from the rules view: the read-only key gets the 403 body, an admin key succeeds', async () => {
    await page.goto(`${api.url}/#/rules`);
    await page.waitForSelector(`[data-testid="rules"] td >> text=${ruleName}`);
    const name = uniqueName('from the dashboard');
    const spec = {
      name,
      service: quiet,
      metric: METRIC,
      window: '5m',
      stat: 'q0.999',
      op: '>=',
      threshold: 900,
      receivers: ['https://hooks.example.com/alerts'],
    };
    await page.fill('#rule-json', JSON.stringify(spec));
    await page.click('#rule-form button[type="submit"]');
    await page.waitForSelector('[data-testid="error-body"][data-status="403"]');
    const refused = (await page.locator('[data-testid="error-body"]').textContent()) ?? '';
    expect(refused).toContain('FORBIDDEN');
    expect(refused).toContain('admin');

    await page.fill('#rule-json', JSON.stringify({ ...spec, op: '=', receivers: [] }));
    await page.fill('#admin-key', adminKey);
    await page.click('#rule-form button[type="submit"]');
    await page.waitForSelector('[data-testid="error-body"][data-status="400"]');
    const invalid = await page
      .locator('[data-testid="error-body"] li code')
      .evaluateAll((els) => els.map((e) => e.textContent));
    expect(invalid.sort()).toEqual(['/op', '/receivers']);

    await page.fill('#rule-json', JSON.stringify(spec));
    await page.click('#rule-form button[type="submit"]');
    await page.waitForSelector('[data-testid="rule-created"]');
    await page.waitForSelector(`[data-testid="rules"] td >> text=${name}`);
    const stored = await pg.query<{ spec: typeof spec; source: string }>(
      'SELECT spec, source FROM alert_rules WHERE name = $1',
      [name],
    );
    expect(stored.rows).toEqual([{ spec, source: 'api' }]);
    // The page kept its own (read) key: reading still works after the refused write.
    await page.goto(api.url + '/');
    await page.waitForSelector(`[data-testid="alerts-panel"] tr[data-fingerprint="${firing}"]`);
  });
});
