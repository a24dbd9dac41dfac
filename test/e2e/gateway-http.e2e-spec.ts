import { setTimeout as sleep } from 'node:timers/promises';
import { gzipSync } from 'node:zlib';
import { readTopics, testKafka, uniqueName } from '@streammetrics/testing';
import { post, TestKeys } from './support-gateway/api-keys';
import { startGateway, type RunningGateway } from './support-gateway/gateway.process';

/** docs/CONTRACTS.md "Errors a client sees", row by row, through real HTTP against the real app. */
describe('ingest-gateway over HTTP', () => {
  const prefix = `${uniqueName('gw')}-`;
  const topic = `${prefix}metrics-events`;
  const keys = new TestKeys();
  let gw: RunningGateway;
  let tight: RunningGateway;
  let ingest: { key: string; clientId: string };

  beforeAll(async () => {
    [gw, tight] = await Promise.all([
      startGateway({
        TOPIC_PREFIX: prefix,
        GATEWAY_BODY_LIMIT_BYTES: '4096',
        GATEWAY_RATE_WINDOW_MS: '60000',
        GATEWAY_DATACENTER: 'e2e-dc',
        GATEWAY_AUTH_CACHE_MS: '500',
      }),
      // Backpressure: one event in flight at most, each batch held back 1 s before it is sent.
      startGateway({ TOPIC_PREFIX: prefix, GATEWAY_MAX_INFLIGHT_EVENTS: '1', GATEWAY_LINGER_MS: '1000' }),
    ]);
    ingest = await keys.create(['ingest'], 1000);
  });

  afterAll(async () => {
    await Promise.all([gw?.stop(), tight?.stop()]);
    await keys.close();
  });

  it('2xx: stores events only after Kafka acknowledged them, enriched, keyed by serviceId', async () => {
    const marker = uniqueName('ok').replace(/-/g, '.');
    const a = await post(`${gw.url}/api/v1/events`, ingest.key, [
      {
        eventId: `${marker}-1`,
        timestamp: '2024-02-07T01:00:00Z',
        serviceId: 'payment-service',
        metricName: marker,
        value: 245.5,
        tags: { method: 'POST' },
        metadata: { traceId: 'abc' },
      },
      { timestamp: 1707267600000, serviceId: 'payment-service', metricName: marker, value: 1 },
    ]);
    expect(a.status).toBe(200);
    expect(a.body).toMatchObject({ accepted: 2, eventIds: [`${marker}-1`, expect.any(String)] });
    const b = await post(`${gw.url}/metrics`, ingest.key, {
      metrics: [
        {
          timestamp: '2025-10-12T15:30:00Z',
          name: marker,
          value: 75.5,
          tags: { host: 'web-01', service: 'api' },
        },
      ],
    });
    expect(b).toMatchObject({ status: 200, body: { success: true, metrics_processed: 1 } });
    expect(b.headers.get('ratelimit-limit')).toBe('60000');
    const c = await post(
      `${gw.url}/metrics`,
      ingest.key,
      gzipSync(JSON.stringify({ name: marker, value: 3 })),
      {
        'content-encoding': 'gzip',
      },
    );
    expect(c).toMatchObject({ status: 200, body: { metrics_processed: 1 } });

    const mine = (
      await readTopics(testKafka(), [topic], {
        done: (rs) => rs.filter((r) => r.value?.toString().includes(marker)).length >= 4,
        timeoutMs: 30_000,
      })
    ).filter((r) => r.value?.toString().includes(marker));
    const events = mine.map((r) => ({ key: r.key, ...JSON.parse(r.value!.toString()) }));
    expect(events).toHaveLength(4);
    for (const e of events) {
      expect(e.key).toBe(e.serviceId);
      expect(e.metadata).toMatchObject({
        client_id: ingest.clientId,
        datacenter: 'e2e-dc',
        ingestion_time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      });
      expect(typeof e.eventId).toBe('string');
    }
    const first = events.find((e) => e.eventId === `${marker}-1`);
    expect(first).toMatchObject({
      timestamp: 1707267600000,
      tags: { method: 'POST' },
      metadata: { traceId: 'abc' },
    });
    expect(events.find((e) => e.serviceId === 'api')).toMatchObject({
      value: 75.5,
      timestamp: Date.parse('2025-10-12T15:30:00Z'),
    });
    expect(events.find((e) => e.value === 3)).toMatchObject({ serviceId: ingest.clientId, tags: {} });
  });

  it('400: malformed JSON', async () => {
    const r = await post(`${gw.url}/api/v1/events`, ingest.key, '{"serviceId": "a",');
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({
      code: 'INVALID_JSON',
      message: expect.stringContaining('malformed JSON'),
    });
  });

  it('400: a schema violation lists every problem with item index and field; nothing is stored', async () => {
    const marker = uniqueName('bad').replace(/-/g, '.');
    const r = await post(`${gw.url}/api/v1/events`, ingest.key, [
      { timestamp: 1, serviceId: 'bad service', metricName: marker, value: 'high' },
      { timestamp: 1, serviceId: 's', metricName: marker, value: 1 },
      { timestamp: 'not-a-date', serviceId: 's', value: 1, colour: 'red' },
    ]);
    expect(r.status).toBe(400);
    expect(r.body.error?.code).toBe('VALIDATION_FAILED');
    expect(r.body.error?.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 0, field: '/serviceId' }),
        expect.objectContaining({ index: 0, field: '/value', message: 'must be number' }),
        expect.objectContaining({ index: 2, field: '/metricName' }),
        expect.objectContaining({ index: 2, field: '/colour' }),
        expect.objectContaining({ index: 2, field: '/timestamp' }),
      ]),
    );
    expect(r.body.error?.problems?.some((p) => p.index === 1)).toBe(false);
    const m = await post(`${gw.url}/metrics`, ingest.key, {
      metrics: [{ name: 'ok', value: 1 }, { value: 'x' }],
    });
    expect(m.body.error?.problems).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ index: 1, field: '/name' }),
        expect.objectContaining({ index: 1, field: '/value' }),
      ]),
    );
    // The valid middle item of the rejected batch was not stored.
    const seen = await readTopics(testKafka(), [topic], { timeoutMs: 3000 });
    expect(seen.filter((x) => x.value?.toString().includes(marker))).toHaveLength(0);
  });

  it('401 for a missing or unknown key, 403 for a key without the ingest scope', async () => {
    const missing = await post(`${gw.url}/metrics`, undefined, { name: 'a', value: 1 });
    expect(missing).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    const unknown = await post(`${gw.url}/metrics`, 'sm_00000000_' + '0'.repeat(48), { name: 'a', value: 1 });
    expect(unknown).toMatchObject({ status: 401, body: { error: { code: 'UNAUTHORIZED' } } });
    const reader = await keys.create(['read']);
    const forbidden = await post(`${gw.url}/api/v1/events`, reader.key, { name: 'a', value: 1 });
    expect(forbidden).toMatchObject({ status: 403, body: { error: { code: 'FORBIDDEN' } } });
  });

  it('401 for a revoked key once the verification cache has expired (≤ 2 s)', async () => {
    const k = await keys.create(['ingest']);
    expect((await post(`${gw.url}/metrics`, k.key, { name: 'a', value: 1 })).status).toBe(200);
    await keys.service.revoke(k.id);
    await sleep(2100);
    expect(await post(`${gw.url}/metrics`, k.key, { name: 'a', value: 1 })).toMatchObject({
      status: 401,
      body: { error: { code: 'UNAUTHORIZED' } },
    });
  });

  it('413 for a body over the limit, raw or after gzip decoding', async () => {
    const big = {
      metrics: Array.from({ length: 100 }, (_, i) => ({
        name: `m${i}`,
        value: i,
        tags: { k: 'v'.repeat(20) },
      })),
    };
    const raw = await post(`${gw.url}/metrics`, ingest.key, big);
    expect(raw).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
    const zipped = gzipSync(JSON.stringify(big));
    expect(zipped.length).toBeLessThan(4096);
    const bomb = await post(`${gw.url}/metrics`, ingest.key, zipped, { 'content-encoding': 'gzip' });
    expect(bomb).toMatchObject({ status: 413, body: { error: { code: 'PAYLOAD_TOO_LARGE' } } });
  });

  it('415 for a content type other than JSON', async () => {
    const r = await post(`${gw.url}/metrics`, ingest.key, 'name=a&value=1', {
      'content-type': 'application/x-www-form-urlencoded',
    });
    expect(r).toMatchObject({ status: 415, body: { error: { code: 'UNSUPPORTED_MEDIA_TYPE' } } });
    const t = await post(`${gw.url}/api/v1/events`, ingest.key, 'hello', { 'content-type': 'text/plain' });
    expect(t.status).toBe(415);
  });

  it('429 with Retry-After and RateLimit headers once the key used its events', async () => {
    const k = await keys.create(['ingest'], 1); // 1 event/s = 60 per 60 s window
    const batch = (n: number) => ({
      metrics: Array.from({ length: n }, (_, i) => ({ name: 'rl', value: i })),
    });
    expect((await post(`${gw.url}/metrics`, k.key, batch(60))).status).toBe(200);
    const r = await post(`${gw.url}/metrics`, k.key, batch(1));
    expect(r).toMatchObject({ status: 429, body: { error: { code: 'RATE_LIMITED' } } });
    expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(r.headers.get('ratelimit-limit')).toBe('60');
    expect(r.headers.get('ratelimit-remaining')).toBe('0');
    expect(r.headers.get('ratelimit-policy')).toBe('60;w=60');
    const tooBig = await post(`${gw.url}/metrics`, (await keys.create(['ingest'], 1)).key, batch(61));
    expect(tooBig.status).toBe(429);
    expect(tooBig.body.error?.message).toMatch(/exceeds this key's allowance/);
  });

  it('503 OVERLOADED with Retry-After when the in-flight cap is reached', async () => {
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        post(`${tight.url}/metrics`, ingest.key, { name: 'bp', value: i }),
      ),
    );
    const refused = results.filter((r) => r.status === 503);
    expect(results.filter((r) => r.status === 200)).not.toHaveLength(0);
    expect(refused).not.toHaveLength(0);
    for (const r of refused) {
      expect(r.body.error?.code).toBe('OVERLOADED');
      expect(r.headers.get('retry-after')).toBe('1');
    }
  });

  it('answers unknown routes in the same error shape, serves /docs and the Prometheus counters', async () => {
    const nf = await fetch(`${gw.url}/nope`);
    expect(nf.status).toBe(404);
    expect(await nf.json()).toEqual({ error: { code: 'NOT_FOUND', message: expect.any(String) } });
    const docs = await (await fetch(`${gw.url}/docs-json`)).json();
    expect(Object.keys(docs.paths)).toEqual(expect.arrayContaining(['/api/v1/events', '/metrics']));
    const prom = await (await fetch(`${gw.url}/metrics`)).text();
    for (const name of [
      'streammetrics_gateway_requests_total',
      'streammetrics_gateway_requests_success_total',
      'streammetrics_gateway_requests_failed_total{route="events",code="400"',
      'streammetrics_gateway_latency_seconds_bucket',
      'streammetrics_gateway_rate_limit_exceeded_total',
      'streammetrics_gateway_kafka_send_success_total',
      'streammetrics_gateway_kafka_send_failed_total',
      'streammetrics_gateway_kafka_batch_events_bucket',
    ]) {
      expect(prom).toContain(name);
    }
    const ready = await (await fetch(`${gw.url}/health`)).json();
    expect(ready).toMatchObject({ status: 'ok', checks: { kafka: { ok: true } } });
  });
});
