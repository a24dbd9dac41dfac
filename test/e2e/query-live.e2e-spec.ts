import { setTimeout as sleep } from 'node:timers/promises';
import { LOCAL_API_KEY_PEPPER } from '@streammetrics/config';
import { Pool } from 'pg';
import { ApiKeyRepository, ApiKeyService } from '@streammetrics/auth';
import { encodeHotUpdate, updatesChannel } from '@streammetrics/contracts';
import { testEnv, uniqueName } from '@streammetrics/testing';
import {
  aggregate,
  Redis,
  startQueryApi,
  type RunningQueryApi,
} from '../../libs/query/src/testing/query.fixtures';
import { LiveClient as Client } from './support-query/live-client';

const MINUTE = 60_000;
const HIGH_WATER = 64 * 1024;

async function metricValue(api: RunningQueryApi, name: string): Promise<number> {
  const text = await (await fetch(`${api.url}/metrics`)).text();
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, 'm').exec(text);
  return m ? Number(m[1]) : NaN;
}

describe('query-api live WebSocket', () => {
  const env = testEnv();
  const pg = new Pool({ connectionString: env.databaseUrl, max: 2 });
  const publisher = new Redis(env.redisUrl);
  const keys = new ApiKeyService(new ApiKeyRepository(pg), { pepper: LOCAL_API_KEY_PEPPER });
  const service = uniqueName('live-svc');
  const metric = 'http.server.duration';
  const t0 = Math.floor(Date.now() / MINUTE) * MINUTE - 100 * MINUTE;
  let api: RunningQueryApi;
  let readKey: string;
  let ingestKey: string;
  const clients: Client[] = [];
  const connect = (key?: string, query = '') => {
    const c = new Client(`ws://127.0.0.1:${api.port}/api/v1/live${query}`, key);
    clients.push(c);
    return c;
  };
  const publish = async (
    tags: Record<string, string>,
    start: number,
    count: number,
    svc = service,
    m = metric,
  ) => {
    await publisher.publish(
      updatesChannel(publisher.options.db),
      encodeHotUpdate(
        '1m',
        aggregate(
          svc,
          m,
          tags,
          '1m',
          start,
          Array.from({ length: count }, (_, i) => i + 1),
          false,
        ),
      ),
    );
  };

  beforeAll(async () => {
    readKey = (await keys.create({ name: 'live-read', clientId: service, scopes: ['read'] })).key;
    ingestKey = (await keys.create({ name: 'live-ingest', clientId: service, scopes: ['ingest'] })).key;
    api = await startQueryApi({
      ...process.env,
      DATABASE_URL: env.databaseUrl,
      REDIS_URL: env.redisUrl,
      QUERY_WS_HIGH_WATER_BYTES: String(HIGH_WATER),
      QUERY_WS_RESUME_TTL_SECONDS: '60',
    });
  });

  afterAll(async () => {
    for (const c of clients) c.ws.terminate();
    await api?.close();
    await pg.end();
    publisher.disconnect();
  });

  it('delivers the updates of a subscribed series in order, and nothing else', async () => {
    const c = connect(readKey);
    await c.until((m) => m.find((x) => x.type === 'welcome'), 'welcome');
    c.send({ type: 'subscribe', id: 'rollup', service, metric, window: '1m' });
    await c.until((m) => m.find((x) => x.type === 'subscribed'), 'subscribed');
    for (let i = 0; i < 50; i++) {
      await publish({}, t0 + i * MINUTE, i + 1);
      await publish({ endpoint: '/other' }, t0 + i * MINUTE, 1); // another series of the same metric
      await publish({}, t0 + i * MINUTE, 1, uniqueName('other-svc')); // another service
    }
    await c.until((m) => m.filter((x) => x.type === 'update').length >= 50, '50 updates');
    const updates = c.updates();
    expect(updates.map((u) => u.update?.record.count)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect(
      updates.every(
        (u) => u.update?.record.serviceId === service && Object.keys(u.update.record.tags).length === 0,
      ),
    ).toBe(true);
    expect(updates.every((u) => u.coalesced === 0)).toBe(true);
  });

  it('subscribes to a whole service, authenticating with the first message', async () => {
    const c = connect();
    c.send({ type: 'auth', apiKey: readKey });
    await c.until((m) => m.find((x) => x.type === 'welcome'), 'welcome');
    c.send({ type: 'subscribe', id: 'all', service });
    await c.until((m) => m.find((x) => x.type === 'subscribed'), 'subscribed');
    await publish({ endpoint: '/a' }, t0, 3);
    await publish({}, t0, 5, service, 'another.metric');
    const got = await c.until(
      (m) => (m.filter((x) => x.type === 'update').length >= 2 ? c.updates() : undefined),
      'two updates',
    );
    expect(got.map((u) => [u.update?.record.metricName, u.update?.record.count])).toEqual([
      [metric, 3],
      ['another.metric', 5],
    ]);
  });

  it('refuses unknown keys (4401), keys without the read scope (4403) and invalid messages', async () => {
    const bad = connect('sm_00000000_' + '0'.repeat(48));
    await bad.until((m) => (bad.closeCode !== undefined ? m : undefined), 'close');
    expect(bad.closeCode).toBe(4401);
    expect(bad.messages[0]?.error?.code).toBe('UNAUTHORIZED');
    const ingest = connect(ingestKey);
    await ingest.until(() => ingest.closeCode, 'close');
    expect(ingest.closeCode).toBe(4403);
    const c = connect(readKey);
    await c.until((m) => m.find((x) => x.type === 'welcome'), 'welcome');
    c.send({ type: 'subscribe', service: 'bad name' });
    c.send({ type: 'nonsense' });
    const errors = await c.until(
      (m) =>
        m.filter((x) => x.type === 'error').length >= 2 ? m.filter((x) => x.type === 'error') : undefined,
      'errors',
    );
    expect(errors.map((e) => e.error?.code)).toEqual(['VALIDATION_FAILED', 'VALIDATION_FAILED']);
  });

  it('keeps subscriptions across a reconnect with the resume token and sends the latest missed update', async () => {
    const tags = { endpoint: '/resume' };
    const c = connect(readKey);
    const welcome = await c.until((m) => m.find((x) => x.type === 'welcome'), 'welcome');
    c.send({ type: 'subscribe', id: 'r', service, metric, window: '1m', tags });
    await c.until((m) => m.find((x) => x.type === 'subscribed'), 'subscribed');
    c.ws.close();
    await c.until(() => c.closeCode, 'close');
    for (let i = 1; i <= 3; i++) await publish(tags, t0 + i * MINUTE, 10 * i);
    await sleep(300);

    const again = connect(readKey, `?resume=${welcome.resumeToken}`);
    const resumed = await again.until((m) => m.find((x) => x.type === 'welcome'), 'welcome');
    expect(resumed.resumed).toBe(true);
    expect(resumed.subscriptions).toHaveLength(1);
    const [u] = await again.until(
      (m) => (m.some((x) => x.type === 'update') ? again.updates() : undefined),
      'update',
    );
    expect(u?.update?.record.count).toBe(30);
    expect(u?.coalesced).toBe(2);
    await publish(tags, t0 + 4 * MINUTE, 40);
    await again.until((m) => m.filter((x) => x.type === 'update').length >= 2, 'live again');
  });

  it('coalesces updates for a client that does not read instead of buffering them', async () => {
    const SERIES = 50;
    const ROUNDS = 400;
    const slow = connect(readKey);
    await slow.until((m) => m.find((x) => x.type === 'welcome'), 'welcome');
    slow.send({ type: 'subscribe', id: 'all', service });
    await slow.until((m) => m.find((x) => x.type === 'subscribed'), 'subscribed');
    // Stop reading: the server's writes back up in the kernel, then in the socket's buffer.
    slow.ws.pause();
    const heapBefore = await metricValue(api, 'nodejs_heap_size_used_bytes');
    let published = 0;
    const values = Array.from({ length: 200 }, (_, i) => i);
    // Wide tag values make each update ~1.3 KB, so the volume dwarfs any buffer the server may keep.
    const pad = Object.fromEntries([1, 2, 3, 4, 5].map((i) => [`pad${i}`, 'x'.repeat(200)]));
    for (let round = 0; round < ROUNDS; round++) {
      const p = publisher.pipeline();
      for (let s = 0; s < SERIES; s++) {
        const msg = encodeHotUpdate(
          '1m',
          aggregate(
            service,
            'slow.metric',
            { shard: String(s), ...pad },
            '1m',
            t0 + round * MINUTE,
            values.slice(0, 100 + (round % 100)),
            false,
          ),
        );
        published += msg.length;
        p.publish(updatesChannel(publisher.options.db), msg);
      }
      await p.exec();
    }
    // Wait until the server has processed every publication (the coalesced counter stops moving).
    let last = -1;
    for (;;) {
      await sleep(500);
      const now = await metricValue(api, 'streammetrics_query_ws_updates_coalesced_total');
      if (now === last) break;
      last = now;
    }
    const pending = await metricValue(api, 'streammetrics_query_ws_pending_updates');
    const buffered = await metricValue(api, 'streammetrics_query_ws_buffered_bytes');
    const heapAfter = await metricValue(api, 'nodejs_heap_size_used_bytes');
    expect(published).toBeGreaterThan(20 * 1024 * 1024);
    expect(last).toBeGreaterThan(0);
    expect(pending).toBeLessThanOrEqual(SERIES);
    // One message past the high-water mark at most.
    expect(buffered).toBeLessThanOrEqual(HIGH_WATER + 16 * 1024);
    // The heap, not RSS: Node 24 keeps freed pages resident longer, which says nothing about buffering.
    // Buffering the updates would hold at least every byte published; the heap also holds garbage
    // no collection has reached yet (up to about half of it in a run on a busy machine), so the
    // bound is what was published. The exact bounds are the two gauges above.
    expect(heapAfter - heapBefore).toBeLessThan(published);

    // Reading again, the client catches up with the newest update of every series.
    slow.ws.resume();
    await slow.until(
      (m) => {
        const latest = new Map<string, number>();
        for (const u of m)
          if (u.type === 'update')
            latest.set(u.update?.record.tags.shard ?? '', u.update?.record.window.start ?? 0);
        return latest.size === SERIES && [...latest.values()].every((s) => s === t0 + (ROUNDS - 1) * MINUTE);
      },
      'the newest update of every series',
      60_000,
    );
  });
});
