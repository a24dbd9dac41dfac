import type { Alert, AlertHistoryEntry } from './api';

/** One stretch of one alert firing: from startsAt to endsAt (null while it still fires). */
export interface AlertInterval {
  fingerprint: string;
  label: string;
  from: number;
  to: number | null;
}

/**
 * The firing stretches of a service's alerts, from their transitions (oldest first) and the
 * alerts firing now: a `→ firing` entry opens a stretch, the next `→ resolved` (or inactive)
 * of the same alert closes it. A firing alert whose opening fell out of the history still shows.
 */
export function alertIntervals(history: AlertHistoryEntry[], active: Alert[]): AlertInterval[] {
  const open = new Map<string, AlertInterval>();
  const out: AlertInterval[] = [];
  for (const e of [...history].sort((a, b) => a.id - b.id)) {
    if (e.to === 'firing') {
      if (open.has(e.fingerprint)) continue;
      const i = { fingerprint: e.fingerprint, label: e.ruleName, from: e.at, to: null };
      open.set(e.fingerprint, i);
      out.push(i);
    } else if (e.from === 'firing') {
      const i = open.get(e.fingerprint);
      if (i) i.to = e.at;
      open.delete(e.fingerprint);
    }
  }
  for (const a of active) {
    if (a.status !== 'firing' || a.startsAt === null || open.has(a.fingerprint)) continue;
    out.push({ fingerprint: a.fingerprint, label: a.ruleName, from: a.startsAt, to: null });
  }
  return out;
}
