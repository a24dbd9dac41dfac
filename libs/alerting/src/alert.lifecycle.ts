import type { Alert, AlertStatus } from '@streammetrics/contracts/api';

/**
 * The lifecycle of one (rule, series), driven by event time only, so a replay of the same window
 * results reaches the same states: inactive → pending → firing → resolved (→ pending again).
 * Where it stands: the fields of the API's Alert (the same
 * meanings), with the last window end always known once it has been evaluated.
 */
export interface Lifecycle extends Pick<Alert, 'status' | 'value' | 'activeSince' | 'startsAt' | 'endsAt'> {
  lastWindowEnd: number;
}

export interface Observation {
  windowStart: number;
  windowEnd: number;
  value: number | null;
  breaching: boolean;
}

export interface LifecycleRule {
  forMs: number;
  noData?: { afterMs: number; fire: boolean };
}

export interface Step {
  next: Lifecycle;
  /** Set when the status changed. */
  from?: AlertStatus;
  /** 'firing' or 'resolved' when receivers are to be told. */
  notify?: 'firing' | 'resolved';
}

export const NEW_LIFECYCLE: Lifecycle = {
  status: 'inactive',
  value: null,
  activeSince: null,
  startsAt: null,
  endsAt: null,
  lastWindowEnd: Number.NEGATIVE_INFINITY,
};

function changed(prev: Lifecycle, next: Lifecycle, notify?: 'firing' | 'resolved'): Step {
  return next.status === prev.status ? { next } : { next, from: prev.status, notify };
}

/**
 * One window result. A window older than the last one evaluated is ignored (out of order, or a
 * hopping window overtaken by a later one); the same window again (an interim update, then its
 * final) is evaluated again, so early-warning rules follow a window as it fills.
 */
export function observe(prev: Lifecycle, o: Observation, rule: LifecycleRule): Step {
  if (o.windowEnd < prev.lastWindowEnd) return { next: prev };
  const base = { ...prev, value: o.value, lastWindowEnd: o.windowEnd };
  if (!o.breaching) {
    if (prev.status === 'firing') {
      return changed(
        prev,
        { ...base, status: 'resolved', activeSince: null, endsAt: o.windowEnd },
        'resolved',
      );
    }
    if (prev.status === 'pending') return changed(prev, { ...base, status: 'inactive', activeSince: null });
    return { next: base };
  }
  if (prev.status === 'firing') return { next: base };
  const activeSince =
    prev.status === 'pending' && prev.activeSince !== null ? prev.activeSince : o.windowStart;
  if (o.windowEnd - activeSince >= rule.forMs) {
    return changed(
      prev,
      { ...base, status: 'firing', activeSince, startsAt: o.windowEnd, endsAt: null },
      'firing',
    );
  }
  return changed(prev, { ...base, status: 'pending', activeSince, startsAt: null, endsAt: null });
}

/**
 * No window for the series while its partition's stream time moved on by `noData.after`: with
 * `fire` the alert fires with no value (once: a firing alert without a value is already "no data");
 * without, a firing alert resolves and a pending one goes back to inactive, as the series is gone.
 */
export function observeSilence(prev: Lifecycle, streamTime: number, rule: LifecycleRule): Step {
  const nd = rule.noData;
  if (!nd || prev.lastWindowEnd === Number.NEGATIVE_INFINITY) return { next: prev };
  const since = prev.lastWindowEnd + nd.afterMs;
  if (streamTime < since) return { next: prev };
  if (nd.fire) {
    if (prev.status === 'firing' && prev.value === null) return { next: prev };
    if (prev.status === 'firing') return { next: { ...prev, value: null } };
    return changed(
      prev,
      {
        ...prev,
        status: 'firing',
        value: null,
        activeSince: prev.lastWindowEnd,
        startsAt: since,
        endsAt: null,
      },
      'firing',
    );
  }
  if (prev.status === 'firing') {
    return changed(
      prev,
      { ...prev, status: 'resolved', value: null, activeSince: null, endsAt: since },
      'resolved',
    );
  }
  if (prev.status === 'pending')
    return changed(prev, { ...prev, status: 'inactive', value: null, activeSince: null });
  return { next: prev };
}
