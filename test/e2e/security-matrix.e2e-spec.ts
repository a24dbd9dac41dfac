import { setTimeout as sleep } from 'node:timers/promises';
import { Pool } from 'pg';
import { ApiKeyRepository, ApiKeyService, type ApiKeyScope } from '@streammetrics/auth';
import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { testEnv, uniqueName } from '@streammetrics/testing';
import { startQueryApi, type RunningQueryApi } from '../../libs/query/src/testing/query.fixtures';
import { startGateway, type RunningGateway } from './support-gateway/gateway.process';
import { LiveClient } from './support-query/live-client';

type Who = 'none' | 'wrong' | 'ingest' | 'read' | 'admin' | 'revoked' | 'expired' | 'otherTenant';
const WHO: Who[] = ['none', 'wrong', 'ingest', 'read', 'admin', 'revoked', 'expired', 'otherTenant'];

interface Route {
  name: string;
  app: 'query' | 'gateway';
  method: 'GET' | 'POST' | 'DELETE';
  /** Path for a caller; `tenant` is the service the tenant-bound keys may use. */
  path: (ctx: { tenant: string; other: string; target: string }) => string;
  body?: (ctx: { tenant: string; other: string }) => unknown;
  scope: ApiKeyScope;
  /** The answer of a key with the scope, bound to the tenant, when the route names the other tenant. */
  otherTenant: number;
  ok: number;
}

const NOW = Date.now();
const event = (serviceId: string) => ({ timestamp: NOW, serviceId, metricName: 'matrix.check', value: 1 });

/** Every route × every kind of caller; the answer of each pair is pinned. */
const ROUTES: Route[] = [
  {
    name: 'services',
    app: 'query',
    method: 'GET',
    path: () => '/api/v1/services',
    scope: 'read',
    ok: 200,
    otherTenant: 200,
  },
  {
    name: 'metrics of a service',
    app: 'query',
    method: 'GET',
    path: (c) => `/api/v1/services/${c.other}/metrics`,
    scope: 'read',
    ok: 200,
    otherTenant: 403,
  },
  {
    name: 'tags',
    app: 'query',
    method: 'GET',
    path: (c) => `/api/v1/services/${c.other}/metrics/m/tags`,
    scope: 'read',
    ok: 200,
    otherTenant: 403,
  },
  {
    name: 'series',
    app: 'query',
    method: 'GET',
    path: (c) => `/api/v1/series?service=${c.other}&metric=m`,
    scope: 'read',
    ok: 200,
    otherTenant: 403,
  },
  {
    name: 'summary',
    app: 'query',
    method: 'GET',
    path: (c) => `/api/v1/summary?service=${c.other}&metric=m`,
    scope: 'read',
    ok: 200,
    otherTenant: 403,
  },
  {
    name: 'metricstream',
    app: 'query',
    method: 'GET',
    path: () => `/api/query?name=m&start=${NOW - 600_000}&end=${NOW}`,
    scope: 'read',
    ok: 200,
    otherTenant: 403,
  },
  {
    name: 'overview',
    app: 'query',
    method: 'GET',
    path: () => '/api/v1/overview',
    scope: 'read',
    ok: 200,
    otherTenant: 200,
  },
  {
    name: 'dead letters',
    app: 'query',
    method: 'GET',
    path: () => '/api/v1/dead-letters',
    scope: 'read',
    ok: 200,
    otherTenant: 403,
  },
  {
    name: 'list keys',
    app: 'query',
    method: 'GET',
    path: () => '/api/v1/keys',
    scope: 'admin',
    ok: 200,
    otherTenant: 403,
  },
  {
    name: 'create key',
    app: 'query',
    method: 'POST',
    path: () => '/api/v1/keys',
    body: () => ({ name: 'matrix', clientId: 'matrix', scopes: ['read'] }),
    scope: 'admin',
    ok: 201,
    otherTenant: 403,
  },
  {
    name: 'revoke key',
    app: 'query',
    method: 'DELETE',
    path: (c) => `/api/v1/keys/${c.target}`,
    scope: 'admin',
    ok: 200,
    otherTenant: 403,
  },
  {
    name: 'rotate key',
    app: 'query',
    method: 'POST',
    path: (c) => `/api/v1/keys/${c.target}/rotate`,
    body: () => ({}),
    scope: 'admin',
    ok: 201,
    otherTenant: 403,
  },
  {
    name: 'ingest events',
    app: 'gateway',
    method: 'POST',
    path: () => '/api/v1/events',
    body: (c) => [event(c.other)],
    scope: 'ingest',
    ok: 200,
    otherTenant: 403,
  },
];

/** What a caller gets on a route of `scope`: the scope rules of the "Errors a client sees" table. */
function expected(who: Who, r: Route): number {
  if (who === 'none' || who === 'wrong' || who === 'revoked' || who === 'expired') return 401;
  if (who === 'otherTenant') return r.otherTenant;
  if (who === 'admin' || who === r.scope) return r.ok;
  return 403;
}

describe('authorization matrix: every route × every kind of key, and no key in any log line', () => {
  const env = testEnv();
  const pg = new Pool({ connectionString: env.databaseUrl, max: 2 });
  const keys = new ApiKeyService(new ApiKeyRepository(pg), { pepper: LOCAL_API_KEY_PEPPER, cacheTtlMs: 0 });
  const tenant = uniqueName('tenant-a');
  const other = uniqueName('tenant-b');
  const secrets = new Map<Who, string>();
  /** Every key this test saw in clear, for the log check at the end. */
  const used: string[] = [];
  let api: RunningQueryApi;
  let gw: RunningGateway;

  const create = async (scopes: ApiKeyScope[], extra: { services?: string[]; expiresAt?: Date } = {}) => {
    const { key, record } = await keys.create({
      name: 'matrix',
      clientId: uniqueName('c'),
      scopes,
      ...extra,
    });
    used.push(key);
    return { key, id: record.id };
  };

  beforeAll(async () => {
    secrets.set('wrong', `sm_0badc0de_${'0'.repeat(48)}`);
    secrets.set('ingest', (await create(['ingest'])).key);
    secrets.set('read', (await create(['read'])).key);
    secrets.set('admin', (await create(['admin'])).key);
    const revoked = await create(['admin']);
    await keys.revoke(revoked.id);
    secrets.set('revoked', revoked.key);
    secrets.set('expired', (await create(['admin'], { expiresAt: new Date(Date.now() + 1000) })).key);
    // Bound to one tenant, with every scope: what it may not do is reach the other tenant.
    secrets.set('otherTenant', (await create(['admin'], { services: [tenant] })).key);
    await sleep(1100); // the expired key is past its end
    const logs = { LOG_LEVEL: 'info', AUTH_UNAUTHENTICATED_RATE: '100000' };
    [api, gw] = await Promise.all([
      startQueryApi({ ...process.env, DATABASE_URL: env.databaseUrl, REDIS_URL: env.redisUrl, ...logs }),
      startGateway({ TOPIC_PREFIX: `${uniqueName('matrix')}-`, ...logs }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([api?.close(), gw?.stop()]);
    await pg.end();
  });

  const call = async (r: Route, who: Who) => {
    const target = (await create(['read'])).id;
    const base = r.app === 'query' ? api.url : gw.url;
    const secret = secrets.get(who);
    const res = await fetch(base + r.path({ tenant, other, target }), {
      method: r.method,
      headers: {
        ...(secret ? { authorization: `Bearer ${secret}` } : {}),
        ...(r.body ? { 'content-type': 'application/json' } : {}),
      },
      body: r.body ? JSON.stringify(r.body({ tenant, other })) : undefined,
    });
    const text = await res.text();
    // Keys made or rotated through the admin API come back in clear: they must not leak either.
    const made = /"key":"(sm_[0-9a-f_]+)"/.exec(text);
    if (made) used.push(made[1]!);
    return { status: res.status, headers: res.headers, text };
  };

  for (const r of ROUTES) {
    it(`${r.method} ${r.name}`, async () => {
      const got: Record<string, number> = {};
      const want: Record<string, number> = {};
      for (const who of WHO) {
        const res = await call(r, who);
        got[who] = res.status;
        want[who] = expected(who, r);
        expect(res.headers.get('x-content-type-options')).toBe('nosniff');
        expect(res.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
      }
      expect(got).toEqual(want);
    });
  }

  it('filters lists to the services a bound key may read', async () => {
    const res = await call(ROUTES[0]!, 'otherTenant');
    const names = (JSON.parse(res.text) as { services: { name: string }[] }).services.map((s) => s.name);
    expect(names.every((n) => n === tenant)).toBe(true);
  });

  it('WebSocket /api/v1/live: read scope required, bound keys subscribe to their services only', async () => {
    const url = `ws://127.0.0.1:${api.port}/api/v1/live`;
    const closeOf = async (who: Who) => {
      const c = new LiveClient(url, secrets.get(who));
      const code = await c.until(
        () => c.closeCode ?? (c.messages.some((m) => m.type === 'welcome') ? 0 : undefined),
        'answer',
      );
      c.ws.terminate();
      return code;
    };
    const got: Record<string, number> = {};
    for (const who of WHO) got[who] = await closeOf(who);
    expect(got).toEqual({
      none: 4401, // no auth message within the timeout
      wrong: 4401,
      ingest: 4403,
      read: 0,
      admin: 0,
      revoked: 4401,
      expired: 4401,
      otherTenant: 0,
    });
    const bound = new LiveClient(url, secrets.get('otherTenant'));
    await bound.until((m) => m.find((x) => x.type === 'welcome'), 'welcome');
    bound.send({ type: 'subscribe', id: 'x', service: other });
    const err = await bound.until((m) => m.find((x) => x.type === 'error'), 'error');
    expect(err.error?.code).toBe('FORBIDDEN');
    bound.ws.terminate();
  });

  it('accepts no key in the query string, and no log line of either app holds any key it was sent', async () => {
    const read = secrets.get('read') as string;
    const res = await fetch(`${api.url}/api/v1/services?api_key=${read}`);
    expect(res.status).toBe(401);
    await fetch(`${gw.url}/metrics?api_key=${read}`, { method: 'POST' });
    await sleep(500); // let both processes flush their logs
    const logs = api.output() + gw.output();
    expect(logs).toContain('"url":"/api/v1/services?[redacted]"'); // the request was logged, cut
    const leaked = [...secrets.values(), ...used].filter(
      (k) => logs.includes(k) || logs.includes(k.slice(12)),
    );
    expect(leaked).toEqual([]);
  });
});
