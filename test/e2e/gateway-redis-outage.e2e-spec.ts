import { uniqueName } from '@streammetrics/testing';
import { post, TestKeys } from './support-gateway/api-keys';
import { startGateway, type RunningGateway } from './support-gateway/gateway.process';
import { OwnRedis } from './support-redis/own-redis';

/** While Redis is down the limiter's fallback decides: refuse (closed) or count in-process (local). */
describe('ingest-gateway rate limiting with Redis stopped', () => {
  const keys = new TestKeys();
  const redis = new OwnRedis();
  let closed: RunningGateway;
  let local: RunningGateway;
  // Half of the key's 60 events per window: two fit, the third does not, and the window's decay
  // could free room for another only half a window (30 s) later.
  const batch = { metrics: Array.from({ length: 30 }, (_, i) => ({ name: 'outage', value: i })) };

  beforeAll(async () => {
    await redis.start();
    // A 60 s window: the budget does not depend on how fast this machine sends.
    const env = {
      TOPIC_PREFIX: `${uniqueName('gwro')}-`,
      REDIS_URL: redis.url,
      GATEWAY_RATE_WINDOW_MS: '60000',
    };
    [closed, local] = await Promise.all([
      startGateway({ ...env, GATEWAY_RATE_LIMIT_FALLBACK: 'closed' }),
      startGateway({ ...env, GATEWAY_RATE_LIMIT_FALLBACK: 'local' }),
    ]);
  });

  afterAll(async () => {
    await Promise.all([closed?.stop(), local?.stop()]);
    await redis.stop();
    await keys.close();
  });

  it('fails closed with 503 and Retry-After, or keeps limiting per process with the local fallback', async () => {
    const k = await keys.create(['ingest'], 1); // 60 events per 60 s
    expect((await post(`${closed.url}/metrics`, k.key, batch)).status).toBe(200);
    await redis.stop();

    const refused = await post(`${closed.url}/metrics`, k.key, batch);
    expect(refused.status).toBe(503);
    expect(refused.body.error?.code).toBe('RATE_LIMIT_UNAVAILABLE');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);

    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(`${local.url}/metrics`, k.key, batch)).status);
    // The local limiter holds the key to its 60 events in this process.
    expect(statuses).toEqual([200, 200, 429, 429]);
  });
});
