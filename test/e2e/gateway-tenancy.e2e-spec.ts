import { uniqueName } from '@streammetrics/testing';
import { post, TestKeys } from './support-gateway/api-keys';
import { startGateway, type RunningGateway } from './support-gateway/gateway.process';

const MAX_SERIES = 3;

/** What one key may write: its services, and a budget of distinct series. */
describe('ingest-gateway tenancy', () => {
  const keys = new TestKeys();
  let gw: RunningGateway;
  const ev = (serviceId: string, metricName: string, tags: Record<string, string> = {}) => ({
    timestamp: Date.now(),
    serviceId,
    metricName,
    value: 1,
    tags,
  });

  beforeAll(async () => {
    gw = await startGateway({
      TOPIC_PREFIX: `${uniqueName('gwten')}-`,
      GATEWAY_MAX_SERIES_PER_KEY: String(MAX_SERIES),
    });
  });
  afterAll(async () => {
    await gw?.stop();
    await keys.close();
  });

  it('lets a key bound to services write those only, refusing a whole request that names another', async () => {
    const a = uniqueName('svc-a');
    const k = await keys.create(['ingest'], undefined, undefined, [a]);
    expect((await post(`${gw.url}/api/v1/events`, k.key, [ev(a, 'm')])).status).toBe(200);
    const mixed = await post(`${gw.url}/api/v1/events`, k.key, [ev(a, 'm'), ev('svc-b', 'm')]);
    expect(mixed.status).toBe(403);
    expect(mixed.body.error).toMatchObject({ code: 'FORBIDDEN', message: expect.stringContaining('svc-b') });
  });

  it("refuses series beyond a key's budget with 429 and a clear message, and counts them", async () => {
    const k = await keys.create(['ingest']);
    const svc = uniqueName('svc');
    const first = await post(`${gw.url}/api/v1/events`, k.key, [
      ev(svc, 'a'),
      ev(svc, 'a', { x: '1' }),
      ev(svc, 'b'),
    ]);
    expect(first.status).toBe(200);
    expect((await post(`${gw.url}/api/v1/events`, k.key, [ev(svc, 'a', { x: '1' })])).status).toBe(200); // known
    const over = await post(`${gw.url}/api/v1/events`, k.key, [ev(svc, 'a'), ev(svc, 'c')]);
    expect(over.status).toBe(429);
    expect(over.body.error?.code).toBe('SERIES_BUDGET_EXCEEDED');
    expect(over.body.error?.message).toMatch(
      /3 distinct series .* per hour; 3 are used and this request adds 1 new/,
    );
    expect(Number(over.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    const other = await keys.create(['ingest']);
    expect((await post(`${gw.url}/api/v1/events`, other.key, [ev(svc, 'c')])).status).toBe(200);
    const metrics = await (await fetch(`${gw.url}/metrics`)).text();
    expect(metrics).toMatch(/^streammetrics_gateway_series_budget_exceeded_total(\{[^}]*\})? 1$/m);
  });
});
