import type { AlertRule, AlertRuleSpec } from '@streammetrics/contracts/api';
import { makeAggregate } from '../../sink/src/testing';
import { AlertEvaluator } from './alert.evaluator';
import { compileRule } from './compiled.rule';
import { RuleIndex } from './rule.index';

const M = 60_000;
const T0 = 1_700_000_040_000 - (1_700_000_040_000 % M);
const TOPIC = 'metrics-aggregated-1m';

function rule(id: string, spec: Partial<AlertRuleSpec>): AlertRule {
  return {
    name: `rule-${id}`,
    window: '1m',
    stat: 'p99',
    op: '>',
    threshold: 100,
    receivers: ['http://127.0.0.1:1/hook'],
    ...spec,
    id,
    source: 'api',
    createdAt: '',
    updatedAt: '',
  };
}

function evaluator(...rules: AlertRule[]) {
  return new AlertEvaluator(new RuleIndex(rules.map(compileRule)), {
    externalUrl: 'http://dash',
    now: () => 1_000,
  });
}

const slow = (i: number, tags: Record<string, string> = {}, serviceId = 'payment-service') =>
  makeAggregate({ serviceId, tags, start: T0 + i * M, values: [150, 160, 170, 180, 190] });
const fast = (i: number, tags: Record<string, string> = {}, serviceId = 'payment-service') =>
  makeAggregate({ serviceId, tags, start: T0 + i * M, values: [10, 20, 30, 40, 50] });

/** Evaluates and commits (applies) one batch, as the consumer does after the database commit. */
function batch(e: AlertEvaluator, records: ReturnType<typeof slow>[]) {
  const streamTime = Math.max(...records.map((r) => r.streamTime));
  const c = e.evaluate(TOPIC, `x.${TOPIC}`, 0, records, streamTime);
  e.apply(c);
  return c;
}

describe('AlertEvaluator', () => {
  it('fires once with the labels, annotations and Alertmanager body, then resolves', () => {
    const e = evaluator(
      rule('a', {
        service: 'payment-service',
        labels: { severity: 'page' },
        annotations: { summary: '{{service}} p99 {{value}} ms over {{threshold}}' },
      }),
    );
    const fired = batch(e, [fast(0), slow(1)]);
    expect(fired.outbox).toHaveLength(1);
    const n = fired.outbox[0]!;
    expect(n.status).toBe('firing');
    expect(n.labels).toEqual({
      alertname: 'rule-a',
      service: 'payment-service',
      metric: 'api.request.duration',
      window: '1m',
      stat: 'p99',
      severity: 'page',
    });
    const alert = n.body.alerts[0]!;
    expect(n.body).toMatchObject({ version: '4', status: 'firing', receiver: 'rule-a' });
    expect(alert.annotations.summary).toMatch(/^payment-service p99 1\d\d(\.\d+)? ms over 100$/);
    expect(alert.startsAt).toBe(new Date(T0 + 2 * M).toISOString());
    expect(alert.endsAt).toBe('0001-01-01T00:00:00Z');
    expect(n.idempotencyKey).toBe(`${alert.fingerprint}-${T0 + 2 * M}-firing`);
    expect(fired.history.map((h) => `${h.from}->${h.to}`)).toEqual(['inactive->firing']);

    expect(batch(e, [slow(2)]).outbox).toHaveLength(0); // still firing: nothing new
    const resolved = batch(e, [fast(3)]);
    expect(resolved.outbox.map((o) => o.status)).toEqual(['resolved']);
    expect(resolved.outbox[0]!.body.alerts[0]!.endsAt).toBe(new Date(T0 + 4 * M).toISOString());
    expect(resolved.outbox[0]!.idempotencyKey).toBe(`${alert.fingerprint}-${T0 + 2 * M}-resolved`);
  });

  it('fans out per series where a selector field is empty, with one fingerprint per series', () => {
    const e = evaluator(rule('b', { tags: { endpoint: '' } }));
    const c = batch(e, [
      slow(0, { endpoint: '/a', status: '200' }),
      slow(0, { endpoint: '/b' }, 'order-service'),
      slow(0), // the service-level series: no endpoint tag, not selected
    ]);
    expect(c.outbox.map((o) => [o.labels.service, o.labels.endpoint])).toEqual([
      ['payment-service', '/a'],
      ['order-service', '/b'],
    ]);
    expect(new Set(c.outbox.map((o) => o.fingerprint)).size).toBe(2);
  });

  it('a rule without tags watches the service-level series only', () => {
    const e = evaluator(rule('c', {}));
    expect(batch(e, [slow(0, { endpoint: '/a' })]).outbox).toHaveLength(0);
    expect(batch(e, [slow(0)]).outbox).toHaveLength(1);
  });

  it('reads any quantile from the digest', () => {
    const values = Array.from({ length: 1000 }, (_, i) => i + 1);
    const rec = makeAggregate({ serviceId: 's', start: T0, values });
    const over = evaluator(rule('q', { stat: 'q0.999', threshold: 990 }));
    expect(batch(over, [rec]).outbox).toHaveLength(1);
    const under = evaluator(rule('q', { stat: 'q0.5', threshold: 990 }));
    expect(batch(under, [rec]).outbox).toHaveLength(0);
  });

  it('evaluates interim updates only for rules that ask for them', () => {
    const update = { ...slow(0), final: false };
    expect(batch(evaluator(rule('f', {})), [update]).outbox).toHaveLength(0);
    expect(batch(evaluator(rule('u', { on: 'update' })), [update]).outbox).toHaveLength(1);
  });

  it('changes nothing until the batch is applied, so a failed commit is evaluated again alike', () => {
    const e = evaluator(rule('d', {}));
    const first = e.evaluate(TOPIC, `x.${TOPIC}`, 0, [slow(0)], T0);
    const again = e.evaluate(TOPIC, `x.${TOPIC}`, 0, [slow(0)], T0);
    expect(again.outbox).toEqual(first.outbox);
    e.apply(again);
    expect(e.evaluate(TOPIC, `x.${TOPIC}`, 0, [slow(1)], T0).outbox).toHaveLength(0);
  });

  it('fires on no data when the partition moved on without the series', () => {
    const e = evaluator(rule('n', { noData: { after: '5m', fire: true } }));
    batch(e, [fast(0)]);
    const other = fast(10, {}, 'other-service'); // stream time moves on through another series
    const c = batch(e, [other]);
    expect(c.outbox).toHaveLength(1);
    expect(c.outbox[0]!.labels.service).toBe('payment-service');
    expect(c.history[0]).toMatchObject({ from: 'inactive', to: 'firing', value: null });
  });

  it('sends a repeat while firing once the repeat interval passed (wall time)', () => {
    let now = 1_000;
    const e = new AlertEvaluator(new RuleIndex([compileRule(rule('r', { repeatInterval: '1h' }))]), {
      externalUrl: 'http://dash',
      now: () => now,
    });
    batch(e, [slow(0)]);
    expect(e.repeats().count).toBe(0);
    now += 3_600_000;
    const r = e.repeats();
    expect(r.changes.outbox.map((o) => o.status)).toEqual(['firing']);
    e.applyRepeats(r);
    expect(e.repeats().count).toBe(0);
  });
});
