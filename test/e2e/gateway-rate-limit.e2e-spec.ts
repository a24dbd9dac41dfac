import { uniqueName } from '@streammetrics/testing';
import { post, TestKeys } from './support-gateway/api-keys';
import { startGateway, type RunningGateway } from './support-gateway/gateway.process';

/** One key's event budget is shared by every replica through Redis. */
describe('ingest-gateway rate limit across two instances', () => {
  const prefix = `${uniqueName('gwrl')}-`;
  const keys = new TestKeys();
  let a: RunningGateway;
  let b: RunningGateway;

  beforeAll(async () => {
    // A 60 s window makes the budget independent of how fast this machine sends the requests.
    const env = { TOPIC_PREFIX: prefix, GATEWAY_RATE_WINDOW_MS: '60000' };
    [a, b] = await Promise.all([startGateway(env), startGateway(env)]);
  });

  afterAll(async () => {
    await Promise.all([a?.stop(), b?.stop()]);
    await keys.close();
  });

  it('counts events, not requests, against one budget for both instances', async () => {
    const k = await keys.create(['ingest'], 1); // 60 events per 60 s window
    const batch = { metrics: Array.from({ length: 5 }, (_, i) => ({ name: 'shared', value: i })) };
    const results = [];
    for (let i = 0; i < 24; i++) {
      const gw = i % 2 === 0 ? a : b;
      results.push({ gw: gw.url, ...(await post(`${gw.url}/metrics`, k.key, batch)) });
    }
    const accepted = results.filter((r) => r.status === 200);
    const limited = results.filter((r) => r.status === 429);
    expect(accepted.length + limited.length).toBe(results.length);
    // 12 batches of 5 events use the 60-event budget; each instance alone would have allowed 12.
    expect(accepted).toHaveLength(12);
    expect(new Set(accepted.map((r) => r.gw)).size).toBe(2);
    expect(new Set(limited.map((r) => r.gw)).size).toBe(2);
    for (const r of limited) {
      expect(r.body.error?.code).toBe('RATE_LIMITED');
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
      expect(r.headers.get('ratelimit-remaining')).toBe('0');
      expect(r.headers.get('ratelimit-limit')).toBe('60');
    }
    // Another key has its own budget.
    const other = await keys.create(['ingest'], 1);
    expect((await post(`${b.url}/metrics`, other.key, batch)).status).toBe(200);
  });
});
