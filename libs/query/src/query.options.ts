/** What the query lib needs from the app's validated config (read once at boot, passed in). */
export interface QueryOptions {
  redisUrl: string;
  databaseUrl: string;
  /**
   * Window starts newer than now - hotWindowMs are read from Redis, older ones from PostgreSQL.
   * Shorter than the Redis TTL (3600 s) so the seam never falls on history the sink already trimmed.
   */
  hotWindowMs: number;
  /** Outbound bytes queued on one socket above which its updates are coalesced instead of sent. */
  wsHighWaterBytes: number;
  /** How long a disconnected session keeps its subscriptions for a resume. */
  wsResumeTtlMs: number;
  /** Open WebSocket connections of this process, authenticated or not. */
  wsMaxConnections: number;
  /** Open WebSocket connections of one API key on this process. */
  wsMaxConnectionsPerKey: number;
  /** A socket that sends nothing and answers no ping for this long is closed. */
  wsIdleTimeoutMs: number;
  /** Read key injected into the dashboard page; empty = the browser asks the user for one. */
  dashboardApiKey: string;
}

export const QUERY_OPTIONS = Symbol('QUERY_OPTIONS');
