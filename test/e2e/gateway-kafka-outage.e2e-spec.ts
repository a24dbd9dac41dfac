import { createKafka } from '@streammetrics/kafka';
import { freePort, readTopics, uniqueName } from '@streammetrics/testing';
import { post, TestKeys, type Posted } from './support-gateway/api-keys';
import { startGateway, type RunningGateway } from './support-gateway/gateway.process';
import { ThrowawayBroker } from './support-gateway/throwaway-broker';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * The broker goes away under load and comes back. The shared broker stays up: the gateway under test
 * talks to a throwaway broker of its own (test/e2e/support-gateway/throwaway-broker.ts).
 */
describe('ingest-gateway with the broker stopped and restarted', () => {
  const prefix = `${uniqueName('gwout')}-`;
  const topic = `${prefix}metrics-events`;
  let broker: ThrowawayBroker;
  const keys = new TestKeys();
  let gw: RunningGateway;

  beforeAll(async () => {
    // Free ports, not fixed ones: another broker on this machine (a second checkout's stack) may
    // hold any fixed port, and this test would then stop a broker the gateway does not use.
    broker = new ThrowawayBroker(await freePort(), await freePort());
    broker.reset();
    await broker.start();
    gw = await startGateway({
      KAFKA_BROKERS: broker.brokers.join(','),
      TOPIC_PREFIX: prefix,
      GATEWAY_ACK_TIMEOUT_MS: '5000',
    });
  }, 180_000);

  afterAll(async () => {
    await gw?.stop();
    await broker?.stop();
    await keys.close();
  }, 60_000);

  it('answers 503 while it is down, and every acknowledged event is in the topic exactly once', async () => {
    const { key } = await keys.create(['ingest'], 1_000_000);
    const acked: string[] = [];
    const refused: Posted[] = [];
    let seq = 0;
    let running = true;
    const worker = async (w: number) => {
      while (running) {
        const ids = Array.from({ length: 5 }, () => `w${w}-${seq++}`);
        const events = ids.map((eventId, i) => ({
          eventId,
          timestamp: Date.now(),
          serviceId: `svc-${i}`,
          metricName: 'outage',
          value: i,
        }));
        const r = await post(`${gw.url}/api/v1/events`, key, events).catch(() => undefined);
        if (r?.status === 200) acked.push(...ids);
        else if (r) {
          refused.push(r);
          await sleep(50);
        }
      }
    };
    const until = async (cond: () => boolean, what: string, ms = 90_000) => {
      const deadline = Date.now() + ms;
      while (!cond()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}\n${gw.output()}`);
        await sleep(100);
      }
    };
    const workers = [0, 1, 2, 3].map(worker);

    await until(() => acked.length >= 100, '100 acknowledged events before the outage');
    await broker.stop();
    const ackedBefore = acked.length;
    await until(() => refused.length >= 10, '503 answers while the broker is down');
    const readiness = await fetch(`${gw.url}/health/ready`);
    expect(readiness.status).toBe(503);
    expect((await readiness.json()).checks.kafka.ok).toBe(false);

    await broker.start();
    await until(() => acked.length >= ackedBefore + 100, 'acknowledgements after the broker returned');
    running = false;
    await Promise.all(workers);

    for (const r of refused) {
      expect(r.status).toBe(503);
      expect(r.body.error?.code).toMatch(/^(KAFKA_UNAVAILABLE|OVERLOADED)$/);
      expect(Number(r.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    expect((await fetch(`${gw.url}/health/ready`)).status).toBe(200);

    const want = new Set(acked);
    const records = await readTopics(
      createKafka({ brokers: broker.brokers, clientId: 'outage-reader' }),
      [topic],
      {
        done: (rs) =>
          rs.length >= want.size &&
          acked.every((id) => rs.some((r) => r.value?.toString().includes(`"${id}"`))),
        timeoutMs: 60_000,
      },
    );
    const count = new Map<string, number>();
    for (const r of records) {
      const id = JSON.parse(r.value!.toString()).eventId as string;
      count.set(id, (count.get(id) ?? 0) + 1);
    }
    const missing = acked.filter((id) => !count.has(id));
    const duplicated = acked.filter((id) => (count.get(id) ?? 0) > 1);
    expect({ missing, duplicated }).toEqual({ missing: [], duplicated: [] });
    expect(want.size).toBe(acked.length);
  }, 300_000);
});
