import type { Pool } from 'pg';

/** Session advisory lock key: one maintenance runner across all sink replicas. */
export const MAINTENANCE_LOCK = 'streammetrics-sink-maintenance';

export interface HeldLock {
  /** Unlocks and returns the connection; a broken round's connection is discarded instead. */
  release(broken: boolean): Promise<void>;
}

/**
 * The maintenance round's lock: a session-level advisory lock on a connection of its own, so if
 * this process dies its connection closes and the lock goes with it.
 */
export class MaintenanceLockRepository {
  constructor(private readonly pool: Pool) {}

  /** The lock, or null while another replica holds it; throws when PostgreSQL does not answer. */
  async tryAcquire(): Promise<HeldLock | null> {
    const client = await this.pool.connect();
    try {
      const got = await client.query<{ ok: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS ok', [
        MAINTENANCE_LOCK,
      ]);
      if (!got.rows[0]?.ok) {
        client.release();
        return null;
      }
    } catch (err) {
      client.release(true);
      throw err;
    }
    return {
      release: async (broken) => {
        await client
          .query('SELECT pg_advisory_unlock(hashtext($1))', [MAINTENANCE_LOCK])
          .catch(() => undefined);
        client.release(broken);
      },
    };
  }
}
