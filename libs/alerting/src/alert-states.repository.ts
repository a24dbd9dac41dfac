import type { Pool, PoolClient } from 'pg';
import { inTransaction } from '@streammetrics/storage';
import type { AlertState, Changes } from './alert.evaluator';

interface StateRow {
  rule_id: string;
  series_key: string;
  fingerprint: string;
  topic: string;
  partition: number;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: AlertState['status'];
  value: number | null;
  active_since: string | null;
  starts_at: string | null;
  ends_at: string | null;
  last_window_end: string;
  last_notified_at: Date | null;
}

const num = (v: string | null) => (v === null ? null : Number(v));

function toState(r: StateRow): AlertState {
  return {
    ruleId: r.rule_id,
    seriesKey: r.series_key,
    fingerprint: r.fingerprint,
    topic: r.topic,
    partition: r.partition,
    labels: r.labels,
    annotations: r.annotations,
    status: r.status,
    value: r.value,
    activeSince: num(r.active_since),
    startsAt: num(r.starts_at),
    endsAt: num(r.ends_at),
    lastWindowEnd: Number(r.last_window_end),
    lastNotifiedAt: r.last_notified_at?.getTime() ?? null,
  };
}

export interface OffsetCommit {
  topic: string;
  partition: number;
  nextOffset: string;
}

/**
 * The evaluator's side of PostgreSQL: one transaction per batch writes the changed states, their
 * history, the notifications (the outbox) and the consumer offsets, so after a crash the evaluator
 * resumes exactly after the last batch whose effects are stored — no transition lost or doubled.
 */
export class AlertStatesRepository {
  constructor(
    private readonly pool: Pool,
    private readonly groupId: string,
  ) {}

  async loadStates(topic: string, partition: number): Promise<AlertState[]> {
    const r = await this.pool.query<StateRow>(
      'SELECT s.* FROM alert_states s JOIN alert_rules r ON r.id = s.rule_id WHERE topic = $1 AND partition = $2',
      [topic, partition],
    );
    return r.rows.map(toState);
  }

  /** The next offset to read per partition of `topic`, as last committed with the states. */
  async loadOffsets(topic: string): Promise<Map<number, string>> {
    const r = await this.pool.query<{ partition: number; next_offset: string }>(
      'SELECT partition, next_offset FROM alert_offsets WHERE group_id = $1 AND topic = $2',
      [this.groupId, topic],
    );
    return new Map(r.rows.map((row) => [row.partition, row.next_offset]));
  }

  async commit(changes: Changes, offset?: OffsetCommit): Promise<void> {
    await inTransaction(this.pool, async (client) => {
      await this.writeStates(client, changes.states);
      await this.writeHistory(client, changes);
      await this.writeOutbox(client, changes);
      if (offset) {
        await client.query(
          `INSERT INTO alert_offsets (group_id, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
           ON CONFLICT (group_id, topic, partition) DO UPDATE SET next_offset = EXCLUDED.next_offset`,
          [this.groupId, offset.topic, offset.partition, offset.nextOffset],
        );
      }
    });
  }

  private async writeStates(client: PoolClient, states: readonly AlertState[]): Promise<void> {
    if (states.length === 0) return;
    // One statement for the whole batch; a rule deleted meanwhile is skipped (its states went with it).
    await client.query(
      `INSERT INTO alert_states (rule_id, series_key, fingerprint, topic, partition, labels, annotations,
         status, value, active_since, starts_at, ends_at, last_window_end, last_notified_at, updated_at)
       SELECT s.rule_id, s.series_key, s.fingerprint, s.topic, s.partition, s.labels, s.annotations,
         s.status, s.value, s.active_since, s.starts_at, s.ends_at, s.last_window_end,
         to_timestamp(s.last_notified_at / 1000.0), now()
         FROM jsonb_to_recordset($1::jsonb) AS s(rule_id text, series_key text, fingerprint text, topic text,
           partition int, labels jsonb, annotations jsonb, status text, value float8, active_since bigint,
           starts_at bigint, ends_at bigint, last_window_end bigint, last_notified_at bigint)
         JOIN alert_rules r ON r.id = s.rule_id
       ON CONFLICT (rule_id, series_key) DO UPDATE SET
         fingerprint = EXCLUDED.fingerprint, labels = EXCLUDED.labels, annotations = EXCLUDED.annotations,
         status = EXCLUDED.status, value = EXCLUDED.value, active_since = EXCLUDED.active_since,
         starts_at = EXCLUDED.starts_at, ends_at = EXCLUDED.ends_at,
         last_window_end = EXCLUDED.last_window_end, last_notified_at = EXCLUDED.last_notified_at,
         updated_at = now()`,
      [
        JSON.stringify(
          states.map((s) => ({
            rule_id: s.ruleId,
            series_key: s.seriesKey,
            fingerprint: s.fingerprint,
            topic: s.topic,
            partition: s.partition,
            labels: s.labels,
            annotations: s.annotations,
            status: s.status,
            value: s.value,
            active_since: s.activeSince,
            starts_at: s.startsAt,
            ends_at: s.endsAt,
            last_window_end: s.lastWindowEnd,
            last_notified_at: s.lastNotifiedAt,
          })),
        ),
      ],
    );
  }

  private async writeHistory(client: PoolClient, changes: Changes): Promise<void> {
    if (changes.history.length === 0) return;
    await client.query(
      `INSERT INTO alert_history (rule_id, rule_name, fingerprint, labels, from_status, to_status, value, at)
       SELECT h.rule_id, h.rule_name, h.fingerprint, h.labels, h.from_status, h.to_status, h.value, h.at
         FROM jsonb_to_recordset($1::jsonb) AS h(rule_id text, rule_name text, fingerprint text, labels jsonb,
           from_status text, to_status text, value float8, at bigint)`,
      [
        JSON.stringify(
          changes.history.map((h) => ({
            rule_id: h.ruleId,
            rule_name: h.ruleName,
            fingerprint: h.fingerprint,
            labels: h.labels,
            from_status: h.from,
            to_status: h.to,
            value: h.value,
            at: h.at,
          })),
        ),
      ],
    );
  }

  private async writeOutbox(client: PoolClient, changes: Changes): Promise<void> {
    if (changes.outbox.length === 0) return;
    await client.query(
      `INSERT INTO alert_notifications (rule_id, fingerprint, status, receiver, idempotency_key, labels, body)
       SELECT o.rule_id, o.fingerprint, o.status, o.receiver, o.idempotency_key, o.labels, o.body
         FROM jsonb_to_recordset($1::jsonb) AS o(rule_id text, fingerprint text, status text, receiver text,
           idempotency_key text, labels jsonb, body jsonb)`,
      [
        JSON.stringify(
          changes.outbox.map((o) => ({
            rule_id: o.ruleId,
            fingerprint: o.fingerprint,
            status: o.status,
            receiver: o.receiver,
            idempotency_key: o.idempotencyKey,
            labels: o.labels,
            body: o.body,
          })),
        ),
      ],
    );
  }
}
