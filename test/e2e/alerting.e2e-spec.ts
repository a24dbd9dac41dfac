import type { Kafka, Producer } from 'kafkajs';
import { Pool } from 'pg';
import { AlertRulesRepository, SilencesRepository } from '@streammetrics/alerting';
import { encodeAggregate, topicSpecs, type AggregateRecord } from '@streammetrics/contracts';
import type { AlertRuleSpec } from '@streammetrics/contracts/api';
import { provisionTopics } from '@streammetrics/kafka';
import { freePort, testEnv, testKafka, uniqueName } from '@streammetrics/testing';
import { makeAggregate } from '../../libs/sink/src/testing';
import { WebhookReceiver } from './support-alerting/webhook.receiver';
import { ProcessorProcess, sleep, testProcessorEnv, waitFor } from './support-processor/processor.process';

const M = 60_000;
const METRIC = 'api.request.duration';

/**
 * The alerting app as it runs: a child process reading the aggregate topics, rules in PostgreSQL,
 * a real webhook receiver. The first case goes through the whole pipeline (events → processor →
 * alerting → webhook); the others write window results straight to the aggregate topic, as the
 * processor does, to drive the receiver's failure modes and a crash precisely.
 */
describe('alerting: rules on window results, webhook notifications', () => {
  const prefix = `${uniqueName('alerting')}.`;
  const pool = new Pool({ connectionString: testEnv().databaseUrl, max: 2 });
  const rules = new AlertRulesRepository(pool);
  const receiver = new WebhookReceiver();
  let kafka: Kafka;
  let producer: Producer;
  let processor: ProcessorProcess;
  let alerting: ProcessorProcess;
  let readyUrl: string;
  const svc = (name: string) => `${prefix.replace(/\W/g, '')}-${name}`;
  const T0 = Math.floor(Date.now() / M) * M - 60 * M;

  const rule = (service: string, path: string, extra: Partial<AlertRuleSpec> = {}): AlertRuleSpec => ({
    name: `p99-${service}`,
    service,
    metric: METRIC,
    window: '1m',
    stat: 'p99',
    op: '>',
    threshold: 100,
    annotations: { summary: '{{service}} p99 {{value}} ms' },
    receivers: [receiver.url(path)],
    ...extra,
  });

  async function addRule(spec: AlertRuleSpec): Promise<string> {
    const { id } = await rules.create(spec);
    await sleep(1_000); // the app polls rules every 200 ms here
    return id;
  }

  async function sendWindows(records: AggregateRecord[]): Promise<void> {
    await producer.send({
      topic: `${prefix}metrics-aggregated-1m`,
      acks: -1,
      messages: records.map((r) => ({
        key: r.serviceId,
        value: encodeAggregate(r),
        headers: { emit: 'final' },
      })),
    });
  }

  const slow = (service: string, i: number) =>
    makeAggregate({
      serviceId: service,
      metricName: METRIC,
      start: T0 + i * M,
      values: [150, 200, 250, 300],
    });
  const fast = (service: string, i: number) =>
    makeAggregate({ serviceId: service, metricName: METRIC, start: T0 + i * M, values: [10, 20, 30, 40] });

  async function outcomes(
    ruleId: string,
  ): Promise<{ receiver: string; outcome: string; attempts: number }[]> {
    const r = await pool.query<{ receiver: string; outcome: string; attempts: number }>(
      'SELECT receiver, outcome, attempts FROM alert_notifications WHERE rule_id = $1 ORDER BY id',
      [ruleId],
    );
    return r.rows;
  }

  async function ready(): Promise<boolean> {
    try {
      return (await fetch(readyUrl)).ok;
    } catch {
      return false;
    }
  }

  beforeAll(async () => {
    kafka = testKafka('alerting-test');
    await provisionTopics(kafka, topicSpecs(prefix), 1);
    producer = kafka.producer();
    await producer.connect();
    await receiver.start();
    const port = await freePort();
    readyUrl = `http://127.0.0.1:${port}/health/ready`;
    alerting = new ProcessorProcess(
      {
        TOPIC_PREFIX: prefix,
        ALERTING_GROUP_ID: uniqueName('alerting-group'),
        ALERTING_FROM_BEGINNING: 'true',
        ALERTING_HTTP_PORT: String(port),
        ALERTING_RULES_POLL_MS: '200',
        ALERTING_WEBHOOK_TIMEOUT_MS: '1500',
        ALERTING_RETRY_INITIAL_MS: '200',
        ALERTING_RETRY_MAX_MS: '1000',
      },
      'alerting',
    );
    alerting.start();
    processor = new ProcessorProcess(
      testProcessorEnv(prefix, uniqueName('alerting-processors'), {
        IDLE_TIMEOUT_MS: '0',
        GRACE_MS: '10000',
      }),
    );
    processor.start();
    if (!(await waitFor(ready, 60_000))) throw new Error(`alerting not ready:\n${alerting.output.join('')}`);
  });

  afterAll(async () => {
    await Promise.all([processor.kill('SIGTERM'), alerting.kill('SIGTERM')]);
    await producer.disconnect();
    await receiver.stop();
    await pool.end();
  });

  it('events whose p99 crosses the threshold: one firing notification with its labels and value, then one resolved', async () => {
    const service = svc('pipeline');
    await addRule(rule(service, '/p99', { labels: { severity: 'page' } }));
    // Three minutes of requests: fast, slow (p99 ≈ 300 ms), fast; then an event 20 minutes on so
    // every window closes.
    const events = [0, 1, 2].flatMap((minute) =>
      Array.from({ length: 50 }, (_, i) => ({
        eventId: `${service}-${minute}-${i}`,
        timestamp: T0 + minute * M + i * 1_000,
        serviceId: service,
        metricName: METRIC,
        value: minute === 1 ? 250 + i : 20 + (i % 10),
        tags: {},
      })),
    );
    const flush = {
      ...events[0]!,
      eventId: `${service}-flush`,
      metricName: 'flush.marker',
      timestamp: T0 + 20 * M,
    };
    await producer.send({
      topic: `${prefix}metrics-events`,
      acks: -1,
      messages: [...events, flush].map((e) => ({ key: service, value: JSON.stringify(e) })),
    });

    expect(await waitFor(async () => receiver.on('/p99').length >= 2, 90_000)).toBe(true);
    await sleep(2_000);
    const [firing, resolved, ...more] = receiver.on('/p99');
    expect(more).toEqual([]);
    expect(firing!.body.status).toBe('firing');
    expect(firing!.body.alerts[0]!.labels).toEqual({
      alertname: `p99-${service}`,
      service,
      metric: METRIC,
      window: '1m',
      stat: 'p99',
      severity: 'page',
    });
    const value = Number(/p99 ([\d.]+) ms/.exec(firing!.body.alerts[0]!.annotations.summary ?? '')?.[1]);
    expect(value).toBeGreaterThan(250);
    expect(value).toBeLessThanOrEqual(299);
    expect(firing!.body.alerts[0]!.startsAt).toBe(new Date(T0 + 2 * M).toISOString());
    expect(resolved!.body.status).toBe('resolved');
    expect(resolved!.body.alerts[0]!.endsAt).toBe(new Date(T0 + 3 * M).toISOString());
    expect(resolved!.body.alerts[0]!.fingerprint).toBe(firing!.body.alerts[0]!.fingerprint);
    expect(firing!.idempotencyKey).not.toBe(resolved!.idempotencyKey);
  });

  it('a receiver answering 500 is retried until it takes the notification; a hung one blocks no one', async () => {
    const service = svc('flaky');
    receiver.behave('/flaky', (_, nth) => (nth < 3 ? 500 : 200));
    receiver.behave('/hung', () => 'hang');
    const id = await addRule({
      ...rule(service, '/flaky'),
      receivers: [receiver.url('/hung'), receiver.url('/flaky')],
    });
    await sendWindows([slow(service, 0)]);

    expect(await waitFor(async () => receiver.on('/flaky').length >= 4, 30_000)).toBe(true);
    const keys = new Set(receiver.on('/flaky').map((r) => r.idempotencyKey));
    expect(keys.size).toBe(1);
    expect(
      await waitFor(async () => (await outcomes(id)).some((o) => o.outcome === 'delivered'), 10_000),
    ).toBe(true);
    const rows = await outcomes(id);
    expect(rows.find((o) => o.receiver.endsWith('/flaky'))).toMatchObject({
      outcome: 'delivered',
      attempts: 4,
    });
    expect(rows.find((o) => o.receiver.endsWith('/hung'))).toMatchObject({ outcome: 'pending' });
  });

  it('a silence suppresses delivery while the alert still fires', async () => {
    const service = svc('silenced');
    await new SilencesRepository(pool).create({
      matchers: [{ name: 'service', value: service }],
      startsAt: new Date(Date.now() - 1_000),
      endsAt: new Date(Date.now() + 3_600_000),
      comment: 'maintenance',
      createdBy: 'e2e',
    });
    const id = await addRule(rule(service, '/silenced'));
    await sendWindows([slow(service, 0)]);

    expect(
      await waitFor(async () => (await outcomes(id)).some((o) => o.outcome === 'silenced'), 20_000),
    ).toBe(true);
    const state = await pool.query<{ status: string }>('SELECT status FROM alert_states WHERE rule_id = $1', [
      id,
    ]);
    expect(state.rows.map((r) => r.status)).toEqual(['firing']);
    expect(receiver.on('/silenced')).toEqual([]);
  });

  it('SIGKILL between the transition and the delivery: the notification still arrives, once per key', async () => {
    const service = svc('crash');
    receiver.behave('/crash', (_, nth) => (nth === 0 ? 'hang' : 200));
    await addRule(rule(service, '/crash'));
    await sendWindows([slow(service, 0)]);
    expect(await waitFor(async () => receiver.on('/crash').length >= 1, 20_000)).toBe(true);

    await alerting.kill('SIGKILL');
    alerting.start();
    expect(await waitFor(async () => receiver.on('/crash').length >= 2, 60_000)).toBe(true);
    expect(receiver.deduplicated('/crash').map((r) => r.body.status)).toEqual(['firing']);

    // The firing state survived the crash: the next window under the threshold resolves it.
    await sendWindows([fast(service, 1)]);
    expect(await waitFor(async () => receiver.deduplicated('/crash').length >= 2, 30_000)).toBe(true);
    expect(receiver.deduplicated('/crash').map((r) => r.body.status)).toEqual(['firing', 'resolved']);
    // Nothing already delivered before the crash was sent again by the restarted app.
    await sleep(2_000);
    expect(receiver.on('/p99')).toHaveLength(2);
    expect(receiver.on('/flaky')).toHaveLength(4);
  });
});
