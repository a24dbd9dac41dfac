import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { Pool } from 'pg';
import type {
  Alert,
  AlertHistoryEntry,
  AlertRule,
  AlertRuleSpec,
  ErrorBody,
  Silence,
} from '@streammetrics/contracts/api';
import { ApiKeyRepository, ApiKeyService } from '@streammetrics/auth';
import { testEnv, uniqueName } from '@streammetrics/testing';
import { startQueryApi, type RunningQueryApi } from '../../libs/query/src/testing/query.fixtures';

const MINUTE = 60_000;

/**
 * The alerting routes of the real query-api against real PostgreSQL. Alert states and history are
 * what the evaluator writes; here they are inserted directly, as it would leave them.
 */
describe('query-api alerting REST', () => {
  const env = testEnv();
  const pg = new Pool({ connectionString: env.databaseUrl, max: 2 });
  const keys = new ApiKeyService(new ApiKeyRepository(pg), { pepper: LOCAL_API_KEY_PEPPER });
  const service = uniqueName('al-svc');
  const otherService = uniqueName('al-other');
  let api: RunningQueryApi;
  let readKey: string;
  let adminKey: string;
  let adminName: string;

  const call = async <T = Record<string, unknown>>(
    method: string,
    path: string,
    key: string | null,
    body?: unknown,
  ) => {
    const headers: Record<string, string> = key ? { Authorization: `Bearer ${key}` } : {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(api.url + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T & Partial<ErrorBody> };
  };
  const get = <T>(path: string, key: string | null = readKey) => call<T>('GET', path, key);
  const admin = <T>(method: string, path: string, body?: unknown) => call<T>(method, path, adminKey, body);

  const rule = (over: Partial<AlertRuleSpec> = {}): AlertRuleSpec => ({
    name: uniqueName('p99 high'),
    service,
    metric: 'http.server.duration',
    window: '1m',
    stat: 'p99',
    op: '>',
    threshold: 100,
    for: '2m',
    labels: { severity: 'page' },
    annotations: { summary: '{{service}} p99 {{value}} ms' },
    receivers: ['http://127.0.0.1:9/hook'],
    ...over,
  });

  /** A state row as the evaluator writes it; BIGINT times in epoch ms. */
  const insertState = (s: {
    ruleId: string;
    fingerprint: string;
    status: string;
    labels: Record<string, string>;
    value: number | null;
    activeSince: number | null;
    startsAt: number | null;
    endsAt?: number | null;
    lastWindowEnd: number;
  }) =>
    pg.query(
      `INSERT INTO alert_states (rule_id, series_key, fingerprint, topic, partition, labels, annotations, status,
         value, active_since, starts_at, ends_at, last_window_end)
       VALUES ($1, $2, $3, 'metrics-aggregated-1m', 0, $4, $5, $6, $7, $8, $9, $10, $11)`,
      [
        s.ruleId,
        `series-${s.fingerprint}`,
        s.fingerprint,
        s.labels,
        { summary: `${s.labels.service} p99 ${s.value} ms` },
        s.status,
        s.value,
        s.activeSince,
        s.startsAt,
        s.endsAt ?? null,
        s.lastWindowEnd,
      ],
    );

  beforeAll(async () => {
    readKey = (await keys.create({ name: uniqueName('al-read'), clientId: service, scopes: ['read'] })).key;
    adminName = uniqueName('al-admin');
    adminKey = (await keys.create({ name: adminName, clientId: service, scopes: ['admin'] })).key;
    api = await startQueryApi({ ...process.env, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl });
  });

  afterAll(async () => {
    await api?.close();
    await pg.end();
  });

  it('asks for a key (401), refuses writes to a read key (403) and lets an admin key write', async () => {
    expect((await get('/api/v1/alert-rules', null)).status).toBe(401);
    expect((await get('/api/v1/alerts', null)).status).toBe(401);
    expect((await get('/api/v1/silences', null)).status).toBe(401);
    expect((await get('/api/v1/alert-rules')).status).toBe(200);

    const refused = await call('POST', '/api/v1/alert-rules', readKey, rule());
    expect(refused.status).toBe(403);
    expect(refused.body.error?.code).toBe('FORBIDDEN');
    const silence = { matchers: [{ name: 'service', value: service }], endsAt: Date.now() + MINUTE };
    expect((await call('POST', '/api/v1/silences', readKey, silence)).status).toBe(403);
    expect((await call('DELETE', '/api/v1/alert-rules/rule_x', readKey)).status).toBe(403);

    const created = await admin<AlertRule>('POST', '/api/v1/alert-rules', rule());
    expect(created.status).toBe(201);
    // An admin key reads too (admin implies read).
    expect((await get(`/api/v1/alert-rules/${created.body.id}`, adminKey)).status).toBe(200);
  });

  it('creates, reads, lists, replaces and deletes a rule', async () => {
    const spec = rule({ tags: { endpoint: '' }, on: 'update', noData: { after: '5m', fire: true } });
    const created = await admin<AlertRule>('POST', '/api/v1/alert-rules', spec);
    expect(created.status).toBe(201);
    const id = created.body.id;
    expect(id).toMatch(/^rule_[0-9a-f]+$/);
    expect(created.body).toMatchObject({ ...spec, source: 'api' });

    const one = await get<AlertRule>(`/api/v1/alert-rules/${id}`);
    expect(one.body).toEqual(created.body);
    const list = await get<{ rules: AlertRule[] }>('/api/v1/alert-rules');
    expect(list.body.rules.find((r) => r.id === id)).toEqual(created.body);

    const changed = { ...spec, threshold: 250, stat: 'q0.999' };
    const put = await admin<AlertRule>('PUT', `/api/v1/alert-rules/${id}`, changed);
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id, threshold: 250, stat: 'q0.999', createdAt: created.body.createdAt });
    expect(Date.parse(put.body.updatedAt)).toBeGreaterThan(Date.parse(created.body.updatedAt));
    expect((await get<AlertRule>(`/api/v1/alert-rules/${id}`)).body.threshold).toBe(250);

    expect((await admin('DELETE', `/api/v1/alert-rules/${id}`)).status).toBe(204);
    const gone = await get(`/api/v1/alert-rules/${id}`);
    expect(gone.status).toBe(404);
    expect(gone.body.error?.code).toBe('NOT_FOUND');
    expect((await admin('DELETE', `/api/v1/alert-rules/${id}`)).status).toBe(404);
    expect((await admin('PUT', `/api/v1/alert-rules/${id}`, changed)).status).toBe(404);
  });

  it('lets the API override a rule loaded from the rules file: it becomes an api rule', async () => {
    const id = uniqueName('file-rule');
    await pg.query(`INSERT INTO alert_rules (id, name, spec, source) VALUES ($1, $2, $3, 'file')`, [
      id,
      'from the file',
      rule({ name: 'from the file' }),
    ]);
    expect((await get<AlertRule>(`/api/v1/alert-rules/${id}`)).body.source).toBe('file');
    const put = await admin<AlertRule>('PUT', `/api/v1/alert-rules/${id}`, rule({ name: 'overridden' }));
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ id, name: 'overridden', source: 'api' });
  });

  it('answers a bad rule with 400 listing every problem, unknown fields included', async () => {
    const bad = {
      name: '',
      service,
      window: '2m',
      stat: 'p101',
      op: '=',
      threshold: 'high',
      for: 'soon',
      receivers: ['ftp://example.com/hook'],
      severity: 'page',
    };
    const res = await admin('POST', '/api/v1/alert-rules', bad);
    expect(res.status).toBe(400);
    expect(res.body.error?.code).toBe('VALIDATION_FAILED');
    const problems = res.body.error?.problems ?? [];
    expect(problems.map((p) => p.field).sort()).toEqual(
      ['/severity', '/for', '/name', '/op', '/receivers/0', '/stat', '/threshold', '/window'].sort(),
    );
    for (const p of problems) expect(p.message).toEqual(expect.any(String));
    expect(problems.find((p) => p.field === '/severity')?.message).toBe('unknown field');
    expect(problems.find((p) => p.field === '/receivers/0')?.message).toMatch(/http/);

    // A replacement is checked the same way, and nothing is written.
    const created = await admin<AlertRule>('POST', '/api/v1/alert-rules', rule());
    const put = await admin('PUT', `/api/v1/alert-rules/${created.body.id}`, { ...rule(), receivers: [] });
    expect(put.status).toBe(400);
    expect(put.body.error?.problems?.map((p) => p.field)).toEqual(['/receivers']);
    expect((await get<AlertRule>(`/api/v1/alert-rules/${created.body.id}`)).body).toEqual(created.body);
  });

  it('lists pending and firing alerts with their rule name, firing first, and marks silenced ones', async () => {
    const created = await admin<AlertRule>('POST', '/api/v1/alert-rules', rule());
    const ruleId = created.body.id;
    const t0 = Date.UTC(2026, 0, 1, 12, 0);
    const labels = (svc: string, endpoint: string) => ({
      alertname: created.body.name,
      service: svc,
      metric: 'http.server.duration',
      endpoint,
      severity: 'page',
    });
    await insertState({
      ruleId,
      fingerprint: `${ruleId}-p`,
      status: 'pending',
      labels: labels(service, '/refund'),
      value: 130.5,
      activeSince: t0 + 4 * MINUTE,
      startsAt: null,
      lastWindowEnd: t0 + 5 * MINUTE,
    });
    await insertState({
      ruleId,
      fingerprint: `${ruleId}-f`,
      status: 'firing',
      labels: labels(service, '/pay'),
      value: 812.25,
      activeSince: t0,
      startsAt: t0 + 2 * MINUTE,
      lastWindowEnd: t0 + 5 * MINUTE,
    });
    await insertState({
      ruleId,
      fingerprint: `${ruleId}-r`,
      status: 'resolved',
      labels: labels(service, '/cart'),
      value: 20,
      activeSince: t0,
      startsAt: t0 + MINUTE,
      endsAt: t0 + 3 * MINUTE,
      lastWindowEnd: t0 + 5 * MINUTE,
    });
    await insertState({
      ruleId,
      fingerprint: `${ruleId}-o`,
      status: 'firing',
      labels: labels(otherService, '/pay'),
      value: 400,
      activeSince: t0,
      startsAt: t0 + MINUTE,
      lastWindowEnd: t0 + 5 * MINUTE,
    });

    const mine = await get<{ alerts: Alert[] }>(`/api/v1/alerts?service=${service}`);
    expect(mine.status).toBe(200);
    expect(mine.body.alerts).toEqual([
      {
        ruleId,
        ruleName: created.body.name,
        fingerprint: `${ruleId}-f`,
        status: 'firing',
        labels: labels(service, '/pay'),
        annotations: { summary: `${service} p99 812.25 ms` },
        value: 812.25,
        activeSince: t0,
        startsAt: t0 + 2 * MINUTE,
        endsAt: null,
        lastWindowEnd: t0 + 5 * MINUTE,
        silenced: false,
      },
      expect.objectContaining({
        fingerprint: `${ruleId}-p`,
        status: 'pending',
        startsAt: null,
        silenced: false,
      }),
    ]);
    const byRule = await get<{ alerts: Alert[] }>(`/api/v1/alerts?ruleId=${ruleId}`);
    expect(byRule.body.alerts.map((a) => a.fingerprint)).toEqual([
      `${ruleId}-f`,
      `${ruleId}-o`,
      `${ruleId}-p`,
    ]);
    const pending = await get<{ alerts: Alert[] }>(`/api/v1/alerts?ruleId=${ruleId}&status=pending`);
    expect(pending.body.alerts.map((a) => a.fingerprint)).toEqual([`${ruleId}-p`]);
    const badStatus = await get(`/api/v1/alerts?status=resolved`);
    expect(badStatus.status).toBe(400);
    expect(badStatus.body.error?.problems?.map((p) => p.field)).toEqual(['status']);

    // A silence on this service and endpoint /pay (regex) covers exactly one of the three.
    const silence = await admin<Silence>('POST', '/api/v1/silences', {
      matchers: [
        { name: 'service', value: service },
        { name: 'endpoint', value: '/pa.*', isRegex: true },
      ],
      endsAt: new Date(Date.now() + 10 * MINUTE).toISOString(),
      comment: 'deploying',
    });
    expect(silence.status).toBe(201);
    const after = await get<{ alerts: Alert[] }>(`/api/v1/alerts?ruleId=${ruleId}`);
    expect(after.body.alerts.map((a) => [a.fingerprint, a.silenced])).toEqual([
      [`${ruleId}-f`, true],
      [`${ruleId}-o`, false],
      [`${ruleId}-p`, false],
    ]);
    expect((await admin('DELETE', `/api/v1/silences/${silence.body.id}`)).status).toBe(204);
    const expired = await get<{ alerts: Alert[] }>(`/api/v1/alerts?ruleId=${ruleId}`);
    expect(expired.body.alerts.every((a) => !a.silenced)).toBe(true);
  });

  it('serves the history newest first, filtered and paged', async () => {
    const ruleId = uniqueName('hist-rule');
    const t0 = Date.UTC(2026, 0, 2);
    const steps: [string, string, string][] = [
      ['inactive', 'pending', service],
      ['pending', 'firing', service],
      ['inactive', 'pending', otherService],
      ['firing', 'resolved', service],
    ];
    for (const [i, [from, to, svc]] of steps.entries()) {
      await pg.query(
        `INSERT INTO alert_history (rule_id, rule_name, fingerprint, labels, from_status, to_status, value, at)
         VALUES ($1, 'history rule', $2, $3, $4, $5, $6, $7)`,
        [ruleId, `fp-${svc.slice(-8)}`, { service: svc }, from, to, 100 + i, t0 + i * MINUTE],
      );
    }
    const all = await get<{ entries: AlertHistoryEntry[] }>(`/api/v1/alerts/history?ruleId=${ruleId}`);
    expect(all.status).toBe(200);
    expect(all.body.entries.map((e) => [e.from, e.to, e.at])).toEqual([
      ['firing', 'resolved', t0 + 3 * MINUTE],
      ['inactive', 'pending', t0 + 2 * MINUTE],
      ['pending', 'firing', t0 + MINUTE],
      ['inactive', 'pending', t0],
    ]);
    const ids = all.body.entries.map((e) => e.id);
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    expect(all.body.entries[0]).toMatchObject({
      ruleId,
      ruleName: 'history rule',
      fingerprint: `fp-${service.slice(-8)}`,
      labels: { service },
      value: 103,
      recordedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });

    const svc = await get<{ entries: AlertHistoryEntry[] }>(`/api/v1/alerts/history?service=${service}`);
    expect(svc.body.entries.map((e) => e.to)).toEqual(['resolved', 'firing', 'pending']);
    const page1 = await get<{ entries: AlertHistoryEntry[] }>(
      `/api/v1/alerts/history?ruleId=${ruleId}&limit=2`,
    );
    expect(page1.body.entries.map((e) => e.id)).toEqual(ids.slice(0, 2));
    const page2 = await get<{ entries: AlertHistoryEntry[] }>(
      `/api/v1/alerts/history?ruleId=${ruleId}&limit=2&before=${ids[1]}`,
    );
    expect(page2.body.entries.map((e) => e.id)).toEqual(ids.slice(2));
    const tooMany = await get(`/api/v1/alerts/history?limit=1001`);
    expect(tooMany.status).toBe(400);
    expect(tooMany.body.error?.problems?.map((p) => p.field)).toEqual(['limit']);
  });

  it('creates, lists and expires silences, and rejects bad ones listing every problem', async () => {
    const now = Date.now();
    const created = await admin<Silence>('POST', '/api/v1/silences', {
      matchers: [{ name: 'service', value: service }],
      startsAt: now - MINUTE,
      endsAt: now + 60 * MINUTE,
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({
      matchers: [{ name: 'service', value: service, isRegex: false }],
      startsAt: new Date(now - MINUTE).toISOString(),
      endsAt: new Date(now + 60 * MINUTE).toISOString(),
      comment: '',
      createdBy: adminName,
      state: 'active',
    });
    const later = await admin<Silence>('POST', '/api/v1/silences', {
      matchers: [{ name: 'service', value: otherService }],
      startsAt: new Date(now + 30 * MINUTE).toISOString(),
      endsAt: String(now + 90 * MINUTE),
      createdBy: 'oncall@example.com',
    });
    expect(later.status).toBe(201);
    expect(later.body).toMatchObject({ state: 'pending', createdBy: 'oncall@example.com' });

    const listed = await get<{ silences: Silence[] }>('/api/v1/silences');
    const states = (l: Silence[]) => Object.fromEntries(l.map((s) => [s.id, s.state]));
    expect(states(listed.body.silences)).toMatchObject({
      [created.body.id]: 'active',
      [later.body.id]: 'pending',
    });

    expect((await admin('DELETE', `/api/v1/silences/${created.body.id}`)).status).toBe(204);
    const after = await get<{ silences: Silence[] }>('/api/v1/silences');
    const expired = after.body.silences.find((s) => s.id === created.body.id);
    expect(expired?.state).toBe('expired');
    expect(Date.parse(expired?.endsAt ?? '')).toBeLessThanOrEqual(Date.now());
    expect((await admin('DELETE', `/api/v1/silences/${created.body.id}`)).status).toBe(404);
    expect((await admin('DELETE', '/api/v1/silences/not-a-uuid')).status).toBe(404);
    expect((await admin('DELETE', '/api/v1/silences/00000000-0000-4000-8000-000000000000')).status).toBe(404);

    const problems = async (body: unknown) => {
      const res = await admin('POST', '/api/v1/silences', body);
      expect(res.status).toBe(400);
      expect(res.body.error?.code).toBe('VALIDATION_FAILED');
      return res.body.error?.problems?.map((p) => p.field).sort();
    };
    expect(await problems({ matchers: [], endsAt: now + MINUTE })).toEqual(['/matchers']);
    expect(
      await problems({
        matchers: [
          { name: '', value: 'x' },
          { name: 'service', value: '(unclosed', isRegex: true },
        ],
        startsAt: now + 2 * MINUTE,
        endsAt: now + MINUTE,
      }),
    ).toEqual(['/endsAt', '/matchers/0/name', '/matchers/1/value']);
    expect(await problems({ matchers: [{ name: 'a', value: 'b' }], endsAt: now - MINUTE })).toEqual([
      '/endsAt',
    ]);
    expect(await problems({ matchers: [{ name: 'a', value: 'b' }], endsAt: 'next tuesday' })).toEqual([
      '/endsAt',
    ]);
    expect(await problems({ matchers: [{ name: 'a', value: 'b' }] })).toEqual(['/endsAt']);
  });
});
