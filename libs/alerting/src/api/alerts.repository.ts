import type { Pool } from 'pg';
import type { Alert, AlertHistoryEntry, AlertStatus } from '@streammetrics/contracts/api';

/** An active alert as read, before `silenced` is known (that needs the silences in force now). */
export type ActiveAlert = Omit<Alert, 'silenced'>;

export interface ActiveAlertFilter {
  status?: 'pending' | 'firing';
  service?: string;
  ruleId?: string;
}

export interface HistoryFilter {
  ruleId?: string;
  fingerprint?: string;
  service?: string;
  limit: number;
  /** Only entries with a smaller id (the next page of a newest-first listing). */
  before?: number;
}

interface StateRow {
  rule_id: string;
  rule_name: string;
  fingerprint: string;
  status: AlertStatus;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  value: number | null;
  // pg returns BIGINT as a string: epoch ms fit a double exactly, so Number() is lossless.
  active_since: string | null;
  starts_at: string | null;
  ends_at: string | null;
  last_window_end: string | null;
}

interface HistoryRow {
  id: string;
  rule_id: string;
  rule_name: string;
  fingerprint: string;
  labels: Record<string, string>;
  from_status: AlertStatus;
  to_status: AlertStatus;
  value: number | null;
  at: string;
  recorded_at: Date;
}

const ms = (v: string | null): number | null => (v === null ? null : Number(v));

/** Builds `WHERE` clauses with numbered parameters, so each filter is one line. */
class Where {
  readonly params: unknown[] = [];
  private readonly clauses: string[] = [];

  add(sql: (p: string) => string, value: unknown): void {
    if (value === undefined) return;
    this.params.push(value);
    this.clauses.push(sql(`$${this.params.length}`));
  }

  fixed(sql: string): void {
    this.clauses.push(sql);
  }

  toString(): string {
    return this.clauses.length ? `WHERE ${this.clauses.join(' AND ')}` : '';
  }
}

/**
 * The read side of the alerting tables for the REST API (alert_states, alert_history). The
 * evaluator writes them; the API never does. An alert's service is its `service` label.
 */
export class AlertsRepository {
  constructor(private readonly pool: Pool) {}

  /** Pending and firing alerts: firing first, each group newest first. */
  async active(f: ActiveAlertFilter): Promise<ActiveAlert[]> {
    const w = new Where();
    w.fixed(`s.status IN ('pending', 'firing')`);
    w.add((p) => `s.status = ${p}`, f.status);
    w.add((p) => `s.labels->>'service' = ${p}`, f.service);
    w.add((p) => `s.rule_id = ${p}`, f.ruleId);
    const r = await this.pool.query<StateRow>(
      `SELECT s.rule_id, r.name AS rule_name, s.fingerprint, s.status, s.labels, s.annotations, s.value,
              s.active_since, s.starts_at, s.ends_at, s.last_window_end
         FROM alert_states s JOIN alert_rules r ON r.id = s.rule_id
         ${w}
        ORDER BY (s.status = 'firing') DESC, COALESCE(s.starts_at, s.active_since) DESC NULLS LAST,
                 r.name, s.fingerprint`,
      w.params,
    );
    return r.rows.map((row) => ({
      ruleId: row.rule_id,
      ruleName: row.rule_name,
      fingerprint: row.fingerprint,
      status: row.status,
      labels: row.labels,
      annotations: row.annotations,
      value: row.value,
      activeSince: ms(row.active_since),
      startsAt: ms(row.starts_at),
      endsAt: ms(row.ends_at),
      lastWindowEnd: ms(row.last_window_end),
    }));
  }

  /** Transitions, newest first (by id: the order they were recorded in). */
  async history(f: HistoryFilter): Promise<AlertHistoryEntry[]> {
    const w = new Where();
    w.add((p) => `rule_id = ${p}`, f.ruleId);
    w.add((p) => `fingerprint = ${p}`, f.fingerprint);
    w.add((p) => `labels->>'service' = ${p}`, f.service);
    w.add((p) => `id < ${p}`, f.before);
    w.params.push(f.limit);
    const r = await this.pool.query<HistoryRow>(
      `SELECT * FROM alert_history ${w} ORDER BY id DESC LIMIT $${w.params.length}`,
      w.params,
    );
    return r.rows.map((row) => ({
      id: Number(row.id),
      ruleId: row.rule_id,
      ruleName: row.rule_name,
      fingerprint: row.fingerprint,
      labels: row.labels,
      from: row.from_status,
      to: row.to_status,
      value: row.value,
      at: Number(row.at),
      recordedAt: row.recorded_at.toISOString(),
    }));
  }
}
