import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { returnedRow } from '@streammetrics/storage';
import type { Silence, SilenceMatcher } from '@streammetrics/contracts/api';
import { silenceMatches } from './silence.match';

interface SilenceRow {
  id: string;
  matchers: SilenceMatcher[];
  starts_at: Date;
  ends_at: Date;
  comment: string;
  created_by: string;
  created_at: Date;
}

export interface NewSilence {
  matchers: SilenceMatcher[];
  startsAt: Date;
  endsAt: Date;
  comment: string;
  createdBy: string;
}

function toSilence(r: SilenceRow, now: number): Silence {
  const state = r.ends_at.getTime() <= now ? 'expired' : r.starts_at.getTime() > now ? 'pending' : 'active';
  return {
    id: r.id,
    matchers: r.matchers,
    startsAt: r.starts_at.toISOString(),
    endsAt: r.ends_at.toISOString(),
    comment: r.comment,
    createdBy: r.created_by,
    createdAt: r.created_at.toISOString(),
    state,
  };
}

/** Silences in PostgreSQL: the API writes them, the dispatcher checks each notification against them. */
export class SilencesRepository {
  constructor(
    private readonly pool: Pool,
    private readonly now: () => number = Date.now,
  ) {}

  async list(): Promise<Silence[]> {
    const r = await this.pool.query<SilenceRow>('SELECT * FROM alert_silences ORDER BY ends_at DESC, id');
    const now = this.now();
    return r.rows.map((row) => toSilence(row, now));
  }

  async create(s: NewSilence): Promise<Silence> {
    const r = await this.pool.query<SilenceRow>(
      `INSERT INTO alert_silences (id, matchers, starts_at, ends_at, comment, created_by)
       VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
      [randomUUID(), JSON.stringify(s.matchers), s.startsAt, s.endsAt, s.comment, s.createdBy],
    );
    return toSilence(returnedRow(r.rows, 'silence insert'), this.now());
  }

  /** Ends a silence now (kept, as expired, for the record); false when there is none that is not over. */
  async expire(id: string): Promise<boolean> {
    const r = await this.pool.query(
      // A silence that has not started yet ends now too: its start moves back so the range stays valid.
      `UPDATE alert_silences
          SET starts_at = LEAST(starts_at, to_timestamp($2 / 1000.0) - interval '1 millisecond'),
              ends_at = to_timestamp($2 / 1000.0)
        WHERE id = $1 AND ends_at > to_timestamp($2 / 1000.0)`,
      [id, this.now()],
    );
    return (r.rowCount ?? 0) > 0;
  }

  /** The silences in force now. */
  async active(): Promise<Silence[]> {
    const now = this.now();
    const r = await this.pool.query<SilenceRow>(
      `SELECT * FROM alert_silences WHERE starts_at <= to_timestamp($1 / 1000.0) AND ends_at > to_timestamp($1 / 1000.0)`,
      [now],
    );
    return r.rows.map((row) => toSilence(row, now));
  }

  /** Whether a silence in force now matches these labels. */
  async silenced(labels: Record<string, string>): Promise<boolean> {
    return (await this.active()).some((s) => silenceMatches(s.matchers, labels));
  }
}
