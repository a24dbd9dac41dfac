import { checkRuleSpec } from './alert-rule.schema';

const good = {
  name: 'p99 high',
  service: 'payment-service',
  metric: 'api.request.duration',
  window: '1m',
  stat: 'p99',
  op: '>',
  threshold: 100,
  for: '2m',
  receivers: ['http://127.0.0.1:9000/hook'],
};

describe('checkRuleSpec', () => {
  it('accepts a good rule and any quantile', () => {
    expect(checkRuleSpec(good).ok).toBe(true);
    expect(checkRuleSpec({ ...good, stat: 'q0.999' }).ok).toBe(true);
  });

  it('lists every problem with its field', () => {
    const r = checkRuleSpec({
      ...good,
      window: '2m',
      stat: 'p42x',
      op: '=',
      for: 'soon',
      receivers: ['ftp://x'],
      extra: 1,
    });
    expect(r.ok).toBe(false);
    const fields = r.ok ? [] : r.problems.map((p) => p.field).sort();
    expect(fields).toEqual(['/extra', '/for', '/op', '/receivers/0', '/stat', '/window']);
  });

  it('requires name, window, stat, op, threshold and at least one receiver', () => {
    const r = checkRuleSpec({});
    expect(r.ok ? [] : r.problems.map((p) => p.field).sort()).toEqual([
      '/name',
      '/op',
      '/receivers',
      '/stat',
      '/threshold',
      '/window',
    ]);
  });
});
