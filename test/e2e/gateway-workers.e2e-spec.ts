import { setTimeout as sleep } from 'node:timers/promises';
import { createKafka } from '@streammetrics/kafka';
import { readTopics, testEnv, uniqueName } from '@streammetrics/testing';
import { post, TestKeys } from './support-gateway/api-keys';
import { startGateway, type RunningGateway } from './support-gateway/gateway.process';

/**
 * GATEWAY_WORKERS=2: two node:cluster workers behind one port. SIGTERM to the primary while clients
 * keep sending: every request that got a 2xx must have its events in the topic, exactly once, and
 * the gateway must exit on its own (each worker drained and closed), with code 0.
 */
describe('ingest-gateway with two workers, stopped under load', () => {
  const prefix = `${uniqueName('gwworkers')}-`;
  const topic = `${prefix}metrics-events`;
  const keys = new TestKeys();
  let gw: RunningGateway;

  beforeAll(async () => {
    gw = await startGateway({ TOPIC_PREFIX: prefix, GATEWAY_WORKERS: '2' });
  }, 120_000);

  afterAll(async () => {
    await gw?.stop();
    await keys.close();
  }, 60_000);

  it('loses no acknowledged event when SIGTERM stops both workers mid-stream', async () => {
    const { key } = await keys.create(['ingest'], 1_000_000);
    const acked: string[] = [];
    const statuses = new Map<number, number>();
    let seq = 0;
    let running = true;
    const client = async (c: number) => {
      while (running) {
        const ids = Array.from({ length: 10 }, () => `c${c}-${seq++}`);
        const events = ids.map((eventId, i) => ({
          eventId,
          timestamp: Date.now(),
          serviceId: `svc-${i % 3}`,
          metricName: 'workers',
          value: i,
        }));
        const r = await post(`${gw.url}/api/v1/events`, key, events).catch(() => undefined);
        if (r) statuses.set(r.status, (statuses.get(r.status) ?? 0) + 1);
        if (r?.status === 200) acked.push(...ids);
        // Refused connections once the port is closed: stop this client.
        if (!r) return;
      }
    };
    const clients = Array.from({ length: 8 }, (_, c) => client(c));
    while (acked.length < 2000) await sleep(20);
    await gw.stop();
    running = false;
    await Promise.all(clients);

    expect(gw.output()).toContain('starting 2 workers');
    expect(gw.exitCode()).toBe(0);
    // Answers while shutting down are 200 (drained) or 503 (refused before acceptance), nothing else.
    expect([...statuses.keys()].filter((s) => s !== 200 && s !== 503)).toEqual([]);

    const records = await readTopics(
      createKafka({ brokers: testEnv().kafkaBrokers, clientId: 'workers-reader' }),
      [topic],
      { done: (rs) => rs.length >= acked.length, timeoutMs: 60_000, settleMs: 1000 },
    );
    const count = new Map<string, number>();
    for (const r of records) {
      const id = (JSON.parse(r.value!.toString()) as { eventId: string }).eventId;
      count.set(id, (count.get(id) ?? 0) + 1);
    }
    const missing = acked.filter((id) => !count.has(id));
    const duplicated = acked.filter((id) => (count.get(id) ?? 0) > 1);
    expect({ missing, duplicated }).toEqual({ missing: [], duplicated: [] });
  }, 180_000);
});
