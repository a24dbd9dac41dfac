import { Pool } from 'pg';
import { ApiKeyRepository, ApiKeyService } from '@streammetrics/auth';
import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { testEnv, uniqueName } from '@streammetrics/testing';
import { startQueryApi, type RunningQueryApi } from '../../libs/query/src/testing/query.fixtures';
import { LiveClient, type Msg } from './support-query/live-client';

const MAX_TOTAL = 6;
const MAX_PER_KEY = 2;

/** What a client may spend on the live WebSocket: message size, connections, idleness, a revoked key. */
describe('query-api live WebSocket limits', () => {
  const env = testEnv();
  const pg = new Pool({ connectionString: env.databaseUrl, max: 2 });
  const keys = new ApiKeyService(new ApiKeyRepository(pg), { pepper: LOCAL_API_KEY_PEPPER, cacheTtlMs: 0 });
  let api: RunningQueryApi;
  const clients: LiveClient[] = [];
  const connect = (key?: string, options = {}) => {
    const c = new LiveClient(`ws://127.0.0.1:${api.port}/api/v1/live`, key, options);
    clients.push(c);
    return c;
  };
  const newKey = async (services: string[] | null = null) =>
    (await keys.create({ name: 'ws-limits', clientId: uniqueName('c'), scopes: ['read'], services })).key;
  const welcomed = (c: LiveClient) => c.until((m) => m.find((x) => x.type === 'welcome'), 'welcome');
  const closed = (c: LiveClient) => c.until(() => c.closeCode, 'close', 20_000);
  const closeAll = async () => {
    const open = clients.splice(0);
    for (const c of open) if (c.closeCode === undefined) c.ws.close();
    await Promise.all(open.map(closed));
  };

  beforeAll(async () => {
    api = await startQueryApi({
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      QUERY_WS_MAX_CONNECTIONS: String(MAX_TOTAL),
      QUERY_WS_MAX_CONNECTIONS_PER_KEY: String(MAX_PER_KEY),
      QUERY_WS_IDLE_TIMEOUT_SECONDS: '4',
    });
  });
  afterEach(closeAll);
  afterAll(async () => {
    await api?.close();
    await pg.end();
  });

  it('closes an unauthenticated connection on an oversized message, or any message but auth', async () => {
    const huge = connect();
    huge.ws.on('open', () => huge.ws.send('x'.repeat(2 * 1024 * 1024)));
    expect(await closed(huge)).toBe(1009); // over maxPayload: ws refuses the frame unread
    const mid = connect();
    mid.send({ type: 'auth', apiKey: 'k'.repeat(512), pad: 'x'.repeat(1500) });
    expect(await closed(mid)).toBe(4401);
    const early = connect();
    early.send({ type: 'subscribe', service: 'payments' });
    expect(await closed(early)).toBe(4401);
    expect(early.messages[0]?.error?.code).toBe('UNAUTHORIZED');
  });

  it('keeps authenticated messages small too', async () => {
    const c = connect(await newKey());
    await welcomed(c);
    c.send({ type: 'subscribe', service: 'a', tags: { pad: 'x'.repeat(5000) } });
    expect(await closed(c)).toBe(1009);
  });

  it('caps connections per key', async () => {
    const key = await newKey();
    const [a, b] = [connect(key), connect(key)];
    await Promise.all([welcomed(a), welcomed(b)]);
    const third = connect(key);
    expect(await closed(third)).toBe(4429);
    expect(third.messages[0]?.error?.code).toBe('TOO_MANY_CONNECTIONS');
    const other = connect(await newKey());
    await welcomed(other);
    a.ws.close();
    await closed(a);
    await welcomed(connect(key));
  });

  it('caps connections in total, authenticated or not', async () => {
    const waiting = Array.from({ length: MAX_TOTAL }, () => connect());
    await Promise.all(waiting.map((c) => new Promise((r) => c.ws.once('open', r))));
    const over = connect(await newKey());
    expect(await closed(over)).toBe(4429);
  });

  it('closes a connection that answers no ping within the idle timeout', async () => {
    const key = await newKey();
    const silent = connect(key, { autoPong: false });
    await welcomed(silent);
    const lively = connect(key);
    await welcomed(lively);
    expect(await closed(silent)).toBe(4408);
    expect(lively.closeCode).toBeUndefined(); // it answered the same pings
  });

  it("closes a revoked key's open sessions", async () => {
    const { key, record } = await keys.create({
      name: 'ws-revoke',
      clientId: uniqueName('c'),
      scopes: ['read'],
    });
    const c = connect(key);
    await welcomed(c);
    await keys.revoke(record.id);
    expect(await closed(c)).toBe(4401);
    const refused = connect(key);
    expect(await closed(refused)).toBe(4401);
  });

  it('lets a key bound to services subscribe to those only', async () => {
    const c = connect(await newKey(['svc-a']));
    await welcomed(c);
    c.send({ type: 'subscribe', id: 'b', service: 'svc-b' });
    c.send({ type: 'subscribe', id: 'a', service: 'svc-a' });
    const got = await c.until((m) => (m.length >= 3 ? m.slice(1, 3) : undefined), 'two answers');
    expect(got.map((m: Msg) => (m.type === 'error' ? m.error?.code : m.type))).toEqual([
      'FORBIDDEN',
      'subscribed',
    ]);
  });
});
