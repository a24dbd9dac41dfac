import type { Pool } from 'pg';
import type { WebhookBody } from './webhook.body';

export interface DueNotification {
  id: string;
  receiver: string;
  idempotencyKey: string;
  labels: Record<string, string>;
  body: WebhookBody;
  /** Attempts including the one just claimed. */
  attempts: number;
}

interface Row {
  id: string;
  receiver: string;
  idempotency_key: string;
  labels: Record<string, string>;
  body: WebhookBody;
  attempts: number;
}

/**
 * The dispatcher's side of the outbox. A claim lasts one delivery attempt: a dispatcher that dies
 * mid-request leaves the row to be claimed again when the claim runs out (at least once), and two
 * dispatchers never hold the same row. A row waits while an older one of the same alert and
 * receiver is undelivered, so a receiver never hears "resolved" before "firing".
 */
export class OutboxRepository {
  constructor(private readonly pool: Pool) {}

  /**
   * Claims up to `limit` due rows, at most `perReceiver` of one receiver, none of a receiver in
   * `busyReceivers` (it has requests in flight).
   */
  async claim(
    limit: number,
    claimMs: number,
    busyReceivers: readonly string[],
    perReceiver = 2,
  ): Promise<DueNotification[]> {
    // Receivers with pending rows, one index probe each (a loose index scan), then per receiver
    // the due rows soonest first: the cost follows the receivers and the rows claimed, never the
    // size of one receiver's backlog.
    const r = await this.pool.query<Row>(
      `WITH RECURSIVE receivers AS (
         (SELECT receiver FROM alert_notifications WHERE outcome = 'pending' ORDER BY receiver LIMIT 1)
         UNION ALL
         SELECT (SELECT n.receiver FROM alert_notifications n
                  WHERE n.outcome = 'pending' AND n.receiver > r.receiver ORDER BY n.receiver LIMIT 1)
           FROM receivers r WHERE r.receiver IS NOT NULL
       ), due AS (
         SELECT d.id FROM receivers r
         CROSS JOIN LATERAL (
           SELECT n.id FROM alert_notifications n
            WHERE n.receiver = r.receiver AND n.outcome = 'pending' AND n.next_attempt_at <= now()
              AND (n.claimed_until IS NULL OR n.claimed_until < now())
              AND NOT EXISTS (SELECT 1 FROM alert_notifications o
                               WHERE o.outcome = 'pending' AND o.fingerprint = n.fingerprint
                                 AND o.receiver = n.receiver AND o.id < n.id)
            ORDER BY n.next_attempt_at LIMIT $4) d
          WHERE r.receiver IS NOT NULL AND NOT (r.receiver = ANY($3::text[]))
          LIMIT $1
       )
       UPDATE alert_notifications SET claimed_until = now() + $2 * interval '1 millisecond', attempts = attempts + 1
        WHERE id IN (SELECT id FROM alert_notifications WHERE id IN (SELECT id FROM due) FOR UPDATE SKIP LOCKED)
        RETURNING id, receiver, idempotency_key, labels, body, attempts`,
      [limit, claimMs, busyReceivers, perReceiver],
    );
    return r.rows.map((row) => ({
      id: row.id,
      receiver: row.receiver,
      idempotencyKey: row.idempotency_key,
      labels: row.labels,
      body: row.body,
      attempts: row.attempts,
    }));
  }

  async delivered(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE alert_notifications SET outcome = 'delivered', delivered_at = now(), claimed_until = NULL, last_error = NULL
        WHERE id = $1`,
      [id],
    );
  }

  async silenced(id: string): Promise<void> {
    await this.pool.query(
      `UPDATE alert_notifications SET outcome = 'silenced', claimed_until = NULL WHERE id = $1`,
      [id],
    );
  }

  async failed(id: string, error: string, retryInMs: number): Promise<void> {
    await this.pool.query(
      `UPDATE alert_notifications
          SET claimed_until = NULL, last_error = $2, next_attempt_at = now() + $3 * interval '1 millisecond'
        WHERE id = $1`,
      [id, error.slice(0, 1000), retryInMs],
    );
  }

  /** Notifications not delivered yet (a gauge). */
  async pendingCount(): Promise<number> {
    const r = await this.pool.query<{ n: string }>(
      `SELECT count(*) AS n FROM alert_notifications WHERE outcome = 'pending'`,
    );
    return Number(r.rows[0]?.n ?? 0);
  }
}
