import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createTopics, testKafka, uniqueName } from '@streammetrics/testing';
import { brokerPid } from '../../scripts/stack/kafka.broker';

const ROOT = join(__dirname, '..', '..');

function stack(args: string[], env: Record<string, string> = {}) {
  // Only the variables under test: the stack command must not see the test run's URLs.
  const {
    KAFKA_BROKERS: _k,
    SCHEMA_REGISTRY_URL: _s,
    DATABASE_URL: _d,
    REDIS_URL: _r,
    ...base
  } = process.env;
  const r = spawnSync('node', ['-r', '@swc-node/register', 'scripts/stack.ts', ...args], {
    cwd: ROOT,
    env: { ...base, ...env },
    encoding: 'utf8',
    timeout: 180_000,
  });
  return { code: r.status, out: `${r.stdout}${r.stderr}` };
}

// These tests stop and start the shared broker, so the e2e tier runs in band (one file at a time).
describe('npm run stack', () => {
  it('is a no-op when the stack already runs', () => {
    const r = stack(['up']);
    expect(r.out).toMatch(/kafka: (already running|external|found running)/);
    expect(r.out).toMatch(/schema registry: (already running|found running)/);
    expect(r.out).toMatch(/migrations: up to date/);
    expect(r.code).toBe(0);
  });

  it('keeps the data across down and up', async () => {
    if (brokerPid() === undefined) {
      // A testcontainers, external or other checkout's broker is not ours to stop.
      process.stderr.write(
        '[stack test] the broker was not started from this checkout: restart not exercised\n',
      );
      return;
    }
    const topic = uniqueName('survives-restart');
    await createTopics(testKafka(), [{ topic }]);
    const producer = testKafka().producer();
    await producer.connect();
    await producer.send({ topic, acks: -1, messages: [{ value: 'kept' }] });
    await producer.disconnect();

    const schemaBefore = /event schema: metrics-events-value id (\d+)/.exec(stack(['up']).out)?.[1];
    expect(schemaBefore).toMatch(/^\d+$/);
    const down = stack(['down']).out;
    expect(down).toMatch(/kafka: stopped/);
    expect(down).toMatch(/schema registry: stopped/);
    const status = stack(['status']).out;
    expect(status).toMatch(/kafka\s+down/);
    expect(status).toMatch(/registry\s+down \(ECONNREFUSED\)/);
    const up = stack(['up']);
    expect(up.out).toMatch(/kafka: started/);
    // The registry keeps its schemas too: the event schema has the id it had before.
    expect(up.out).toMatch(/schema registry: started/);
    expect(up.out).toContain(`event schema: metrics-events-value id ${schemaBefore}`);
    expect(up.code).toBe(0);

    const admin = testKafka().admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets[0]?.high).toBe('1');
  });

  it('names the variable and the problem when the configuration is bad', () => {
    const r = stack(['up'], { STACK_KAFKA_PORT: 'ninety', KAFKA_REPLICATION_FACTOR: '0' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/STACK_KAFKA_PORT: .*"ninety"/);
    expect(r.out).toMatch(/KAFKA_REPLICATION_FACTOR: .*"0"/);
  });

  it('fails fast on an unreachable KAFKA_BROKERS', () => {
    const t0 = Date.now();
    const r = stack(['up'], { KAFKA_BROKERS: '127.0.0.1:1' });
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/KAFKA_BROKERS: no metadata answer from 127\.0\.0\.1:1/);
    expect(Date.now() - t0).toBeLessThan(60_000);
  });
});
