import { checkSilenceSpec } from './silence-spec.check';

const NOW = Date.UTC(2026, 5, 1, 12, 0);
const MINUTE = 60_000;

describe('checkSilenceSpec', () => {
  it('accepts ISO-8601 and epoch-ms times, defaults startsAt to now and createdBy to the author', () => {
    const r = checkSilenceSpec(
      { matchers: [{ name: 'service', value: 'pay.*', isRegex: true }], endsAt: '2026-06-01T13:00:00Z' },
      NOW,
      'ops-key',
    );
    expect(r).toEqual({
      ok: true,
      silence: {
        matchers: [{ name: 'service', value: 'pay.*', isRegex: true }],
        startsAt: new Date(NOW),
        endsAt: new Date(NOW + 60 * MINUTE),
        comment: '',
        createdBy: 'ops-key',
      },
    });
    const numeric = checkSilenceSpec(
      {
        matchers: [{ name: 'a', value: 'b' }],
        startsAt: String(NOW + MINUTE),
        endsAt: NOW + 2 * MINUTE,
        createdBy: 'me',
      },
      NOW,
      'ops-key',
    );
    expect(numeric.ok && numeric.silence).toMatchObject({
      startsAt: new Date(NOW + MINUTE),
      endsAt: new Date(NOW + 2 * MINUTE),
      createdBy: 'me',
      matchers: [{ name: 'a', value: 'b', isRegex: false }],
    });
  });

  it('reports every problem at once, the range beside bad matchers and unknown fields', () => {
    const r = checkSilenceSpec(
      {
        matchers: [{ name: '', value: 'x' }, { name: 'svc', value: '[', isRegex: true }, { name: 'a' }],
        startsAt: NOW,
        endsAt: NOW - MINUTE,
        until: 'forever',
      },
      NOW,
      'k',
    );
    expect(r.ok).toBe(false);
    const fields = r.ok ? [] : r.problems.map((p) => p.field).sort();
    expect(fields).toEqual([
      '/endsAt',
      '/matchers/0/name',
      '/matchers/1/value',
      '/matchers/2/value',
      '/until',
    ]);
  });

  it('refuses a range that is over, an empty matcher list and times that are not times', () => {
    const fields = (raw: unknown) => {
      const r = checkSilenceSpec(raw, NOW, 'k');
      return r.ok ? [] : r.problems.map((p) => `${p.field}: ${p.message}`);
    };
    expect(
      fields({ matchers: [{ name: 'a', value: 'b' }], startsAt: NOW - 2 * MINUTE, endsAt: NOW - MINUTE }),
    ).toEqual(['/endsAt: must be in the future']);
    expect(fields({ matchers: [], endsAt: NOW + MINUTE })).toEqual(['/matchers: at least one matcher']);
    expect(fields({ matchers: [{ name: 'a', value: 'b' }], endsAt: 'soon' })).toEqual([
      '/endsAt: must be epoch milliseconds or an ISO-8601 timestamp',
    ]);
    expect(fields(null).length).toBeGreaterThan(0);
  });
});
