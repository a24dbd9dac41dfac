import type { SilenceMatcher } from '@streammetrics/contracts/api';

/** Whether every matcher matches the labels (a regex must match the whole value, as in Alertmanager). */
export function silenceMatches(matchers: readonly SilenceMatcher[], labels: Record<string, string>): boolean {
  return matchers.every((m) => {
    const value = labels[m.name] ?? '';
    if (!m.isRegex) return value === m.value;
    try {
      return new RegExp(`^(?:${m.value})$`).test(value);
    } catch {
      return false;
    }
  });
}
