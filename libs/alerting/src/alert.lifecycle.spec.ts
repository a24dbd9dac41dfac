import { NEW_LIFECYCLE, observe, observeSilence, type Lifecycle, type Observation } from './alert.lifecycle';

const M = 60_000;
/** The 1m window [i, i+1) minutes, breaching or not. */
const w = (i: number, breaching: boolean, value = breaching ? 200 : 50): Observation => ({
  windowStart: i * M,
  windowEnd: (i + 1) * M,
  value,
  breaching,
});

function run(rule: { forMs: number }, obs: Observation[]) {
  let s: Lifecycle = NEW_LIFECYCLE;
  const trail: string[] = [];
  const notified: string[] = [];
  for (const o of obs) {
    const step = observe(s, o, rule);
    s = step.next;
    trail.push(s.status);
    if (step.notify) notified.push(`${step.notify}@${o.windowEnd / M}`);
  }
  return { s, trail, notified };
}

describe('alert lifecycle (event time)', () => {
  it('fires at once with for = 0, and resolves on the first window under the threshold', () => {
    const r = run({ forMs: 0 }, [w(0, false), w(1, true), w(2, true), w(3, false)]);
    expect(r.trail).toEqual(['inactive', 'firing', 'firing', 'resolved']);
    expect(r.notified).toEqual(['firing@2', 'resolved@4']);
    expect(r.s.startsAt).toBe(2 * M);
    expect(r.s.endsAt).toBe(4 * M);
  });

  it('stays pending until the condition held for `for` of event time', () => {
    const r = run({ forMs: 3 * M }, [w(0, true), w(1, true), w(2, true), w(3, true)]);
    // Windows [0,1), [1,2), [2,3) cover three minutes: firing at the end of the third.
    expect(r.trail).toEqual(['pending', 'pending', 'firing', 'firing']);
    expect(r.notified).toEqual(['firing@3']);
    expect(r.s.activeSince).toBe(0);
  });

  it('a pending alert that recovers goes back to inactive and notifies no one', () => {
    const r = run({ forMs: 2 * M }, [w(0, true), w(1, false), w(2, true), w(3, false)]);
    expect(r.trail).toEqual(['pending', 'inactive', 'pending', 'inactive']);
    expect(r.notified).toEqual([]);
  });

  it('flapping: every firing after a resolve is a new alert with its own startsAt', () => {
    const r = run({ forMs: 0 }, [w(0, true), w(1, false), w(2, true), w(3, false)]);
    expect(r.notified).toEqual(['firing@1', 'resolved@2', 'firing@3', 'resolved@4']);
  });

  it('ignores a window older than the last one evaluated (a replay or an overtaken hop)', () => {
    let s = observe(NEW_LIFECYCLE, w(5, true), { forMs: 0 }).next;
    const old = observe(s, w(3, false), { forMs: 0 });
    expect(old.next).toBe(s);
    s = observe(s, w(5, false), { forMs: 0 }).next;
    expect(s.status).toBe('resolved');
  });

  it('treats a window without a value as not breaching', () => {
    const firing = observe(NEW_LIFECYCLE, w(0, true), { forMs: 0 }).next;
    const step = observe(firing, { ...w(1, false), value: null }, { forMs: 0 });
    expect(step.next.status).toBe('resolved');
    expect(step.next.value).toBeNull();
  });

  describe('no data', () => {
    const seen = observe(NEW_LIFECYCLE, w(0, false), { forMs: 0 }).next; // last window ends at 1m

    it('fires once when the series is silent for `after` and the rule says so', () => {
      const rule = { forMs: 0, noData: { afterMs: 5 * M, fire: true } };
      expect(observeSilence(seen, 5 * M, rule).next).toBe(seen);
      const step = observeSilence(seen, 6 * M, rule);
      expect(step.notify).toBe('firing');
      expect(step.next).toMatchObject({ status: 'firing', value: null, startsAt: 6 * M });
      expect(observeSilence(step.next, 9 * M, rule).notify).toBeUndefined();
      // Data again, under the threshold: resolved.
      expect(observe(step.next, w(9, false), rule).notify).toBe('resolved');
    });

    it('resolves a firing alert when the series goes silent and no data does not fire', () => {
      const rule = { forMs: 0, noData: { afterMs: 2 * M, fire: false } };
      const firing = observe(seen, w(1, true), rule).next;
      const step = observeSilence(firing, 4 * M, rule);
      expect(step.notify).toBe('resolved');
      expect(step.next).toMatchObject({ status: 'resolved', endsAt: 4 * M });
    });

    it('does nothing for a rule without a no-data setting or a series never seen', () => {
      expect(observeSilence(seen, 100 * M, { forMs: 0 }).next).toBe(seen);
      const rule = { forMs: 0, noData: { afterMs: M, fire: true } };
      expect(observeSilence(NEW_LIFECYCLE, 100 * M, rule).next).toBe(NEW_LIFECYCLE);
    });
  });
});
