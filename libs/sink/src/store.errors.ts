/**
 * Errors say whether a retry can help (`retriable`). A store that is down is retried until it is
 * back (the batch is neither skipped nor dead-lettered); a record the store rejects on its own
 * merits would be rejected forever, so it is dead-lettered and the partition moves on.
 */
export type StoreName = 'redis' | 'postgres' | 'kafka';

export class StoreUnavailableError extends Error {
  readonly retriable = true;
  constructor(
    readonly store: StoreName,
    override readonly cause: unknown,
  ) {
    super(`${store} unavailable: ${messageOf(cause)}`);
    this.name = 'StoreUnavailableError';
  }
}

export class UnwritableRecordError extends Error {
  readonly retriable = false;
  constructor(
    readonly store: StoreName,
    override readonly cause: unknown,
  ) {
    super(`${store} rejected the record: ${messageOf(cause)}`);
    this.name = 'UnwritableRecordError';
  }
}

export function isRetriable(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { retriable?: unknown }).retriable === true;
}

export function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/**
 * PostgreSQL: SQLSTATE classes 22 (data exception: value too long, bad number, NUL in text) and 23
 * (integrity constraint) are about the row. Everything else — connection errors without a code,
 * class 08, 53, 57 (shutdown, statement timeout), 40 (serialization, deadlock), even 42 (a schema
 * that is not migrated yet) — is retried: dead-lettering every record because of a deployment
 * mistake would lose data, blocking makes the retries metric and readiness say something is wrong.
 */
export function classifyPgError(err: unknown): StoreUnavailableError | UnwritableRecordError {
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && /^(22|23)/.test(code)) return new UnwritableRecordError('postgres', err);
  return new StoreUnavailableError('postgres', err);
}

/** Redis replies that mean "not now" rather than "never". */
const REDIS_TRANSIENT = /^(LOADING|BUSY|OOM|READONLY|MASTERDOWN|TRYAGAIN|CLUSTERDOWN|NOSCRIPT)/;

/**
 * Redis: a reply error from the script about one record's data (ReplyError) is permanent unless
 * Redis says it is transient; anything else (closed connection, timeout, offline) is an outage.
 */
export function classifyRedisError(err: unknown): StoreUnavailableError | UnwritableRecordError {
  const e = err as { name?: string; message?: string } | null;
  if (e?.name === 'ReplyError' && !REDIS_TRANSIENT.test(e.message ?? '')) {
    return new UnwritableRecordError('redis', err);
  }
  return new StoreUnavailableError('redis', err);
}
