import type { WindowId } from './windows';

/**
 * The alerting wire types: what the REST API answers and accepts, what a rules file holds. Type-only,
 * so the dashboard imports them too (docs/CONTRACTS.md "Alerting").
 */

export type AlertOp = '>' | '>=' | '<' | '<=';

/** Which window results a rule evaluates: finals only (the default), or interim updates too. */
export type AlertOn = 'final' | 'update';

/** How a series that stopped sending windows is treated. */
export interface AlertNoData {
  /** Event time without a window after which the series counts as "no data", e.g. "5m". */
  after: string;
  /** true: no data fires the alert; false: no data resolves it (the series is gone). */
  fire: boolean;
}

/** A rule as written by its author (REST body, rules file). */
export interface AlertRuleSpec {
  name: string;
  /** Series selector: "" or absent matches every service. */
  service?: string;
  /** "" or absent matches every metric. */
  metric?: string;
  /**
   * Tags the series must carry. Absent or {}: the service-level series (no tags). A key with value
   * "" matches every value of that tag, so the rule fans out per value.
   */
  tags?: Record<string, string>;
  window: WindowId;
  /** count, sum, min, max, avg, rate, p50, p95, p99, or any quantile as q<level>, e.g. q0.999. */
  stat: string;
  op: AlertOp;
  threshold: number;
  /** How long (event time) the condition must hold before firing, e.g. "2m"; "0s" fires at once. */
  for?: string;
  on?: AlertOn;
  noData?: AlertNoData;
  /** Extra labels; values may use templates such as {{service}}. */
  labels?: Record<string, string>;
  /** e.g. summary: "{{service}} p99 {{value}} ms". */
  annotations?: Record<string, string>;
  /** Webhook URLs notified on firing and resolved. */
  receivers: string[];
  /** How often a still-firing alert is notified again (wall time), e.g. "4h". */
  repeatInterval?: string;
}

export interface AlertRule extends AlertRuleSpec {
  id: string;
  /** Where the rule came from: the REST API, or the rules file loaded at start. */
  source: 'api' | 'file';
  createdAt: string;
  updatedAt: string;
}

export type AlertStatus = 'inactive' | 'pending' | 'firing' | 'resolved';

/** The state of one (rule, series): GET /api/v1/alerts lists the pending and firing ones. */
export interface Alert {
  ruleId: string;
  ruleName: string;
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** The last value evaluated; null when the series has no data. */
  value: number | null;
  /** Event time (epoch ms) the condition started to hold. */
  activeSince: number | null;
  /** Event time it fired (firing) or null. */
  startsAt: number | null;
  /** Event time it resolved, or null. */
  endsAt: number | null;
  /** End (epoch ms) of the last window evaluated. */
  lastWindowEnd: number | null;
  /** Whether an active silence matches the labels now. */
  silenced: boolean;
}

/** One transition of one alert (GET /api/v1/alerts/history). */
export interface AlertHistoryEntry {
  id: number;
  ruleId: string;
  ruleName: string;
  fingerprint: string;
  labels: Record<string, string>;
  from: AlertStatus;
  to: AlertStatus;
  value: number | null;
  /** Event time of the transition (epoch ms). */
  at: number;
  recordedAt: string;
}

export interface SilenceMatcher {
  name: string;
  value: string;
  /** true: value is a regular expression matched against the whole label value. */
  isRegex?: boolean;
}

export interface SilenceSpec {
  matchers: SilenceMatcher[];
  /** ISO-8601 or epoch ms; default now. */
  startsAt?: string | number;
  endsAt: string | number;
  comment?: string;
  createdBy?: string;
}

export interface Silence {
  id: string;
  matchers: SilenceMatcher[];
  startsAt: string;
  endsAt: string;
  comment: string;
  createdBy: string;
  createdAt: string;
  /** active: now within the range; pending: starts later; expired: ended. */
  state: 'active' | 'pending' | 'expired';
}
