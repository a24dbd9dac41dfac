/**
 * Why a schema registry did not take a schema. `retriable` says whether registering the same schema
 * again can succeed: a schema the registry refuses as incompatible or invalid is refused again until
 * someone changes it or the subject's history; a registry that cannot be reached or answers 5xx may
 * take it later.
 */
export type RegistrationFailure = 'incompatible' | 'invalid' | 'misconfigured' | 'unavailable' | 'refused';

export class SchemaRegistrationError extends Error {
  readonly retriable: boolean;
  constructor(
    readonly subject: string,
    readonly failure: RegistrationFailure,
    message: string,
    /** The HTTP status the registry answered with, when it answered at all. */
    readonly status?: number,
    override readonly cause?: unknown,
  ) {
    super(message);
    this.name = 'SchemaRegistrationError';
    this.retriable = failure === 'unavailable';
  }
}

/** The client name our registry calls use; the client library puts it in front of every message. */
export const REGISTRY_CLIENT_ID = 'streammetrics-registrar';

/** Errors below the HTTP layer: the request never got an answer, so a later attempt may get one. */
const NETWORK_ERROR =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|EAI_AGAIN|ENOTFOUND|UND_ERR_|socket hang up/;

/** Read by shape, not instanceof: fetch's errors come from another realm under jest. */
export function errorText(err: unknown): string {
  const e = err as { message?: unknown; cause?: { code?: unknown } } | null;
  const message = typeof e?.message === 'string' ? e.message : String(err);
  // fetch hides the socket error in `cause` ("fetch failed"); the code there is what tells.
  const code = e?.cause?.code;
  return typeof code === 'string' ? `${message} (${code})` : message;
}

/** What the registry itself said, without the client library's name in front. */
function registryMessage(err: unknown): string {
  const text = errorText(err);
  return text.startsWith(`${REGISTRY_CLIENT_ID} - `) ? text.slice(REGISTRY_CLIENT_ID.length + 3) : text;
}

/**
 * Turns whatever a registration threw into a SchemaRegistrationError that says what happened to
 * which subject. The client library reports HTTP answers as errors with a `status`, and a request
 * that got no answer as status 400 with the socket error as its message, so the message decides
 * between "the registry refused" and "there was no registry".
 */
export function explainRegistrationFailure(
  err: unknown,
  subject: string,
  compatibility = 'BACKWARD',
): SchemaRegistrationError {
  if (err instanceof SchemaRegistrationError) return err;
  const rawStatus = (err as { status?: unknown } | null)?.status;
  const status = typeof rawStatus === 'number' ? rawStatus : undefined;
  const said = registryMessage(err);
  const name = (err as { name?: unknown } | null)?.name;
  // AbortSignal.timeout() ends a request that got no answer in time with a TimeoutError.
  if (NETWORK_ERROR.test(said) || name === 'TimeoutError') {
    return new SchemaRegistrationError(
      subject,
      'unavailable',
      `cannot reach the schema registry to register subject "${subject}": ${said}`,
      undefined,
      err,
    );
  }
  if (status === 409) {
    return new SchemaRegistrationError(
      subject,
      'incompatible',
      `the schema registry refused the schema for subject "${subject}": it is incompatible with the ` +
        `existing version(s) under ${compatibility} compatibility. The registry says: ${said}`,
      status,
      err,
    );
  }
  if (status === 422 || name === 'ConfluentSchemaRegistryArgumentError') {
    return new SchemaRegistrationError(
      subject,
      'invalid',
      `the schema for subject "${subject}" is not a valid schema: ${said}`,
      status,
      err,
    );
  }
  if (name === 'ConfluentSchemaRegistryCompatibilityError') {
    return new SchemaRegistrationError(
      subject,
      'misconfigured',
      `subject "${subject}" is not configured for ${compatibility} compatibility: ${said}`,
      status,
      err,
    );
  }
  if (status !== undefined && status >= 500) {
    return new SchemaRegistrationError(
      subject,
      'unavailable',
      `the schema registry failed (HTTP ${status}) while registering subject "${subject}": ${said}`,
      status,
      err,
    );
  }
  return new SchemaRegistrationError(
    subject,
    'refused',
    `the schema registry did not register subject "${subject}"${status ? ` (HTTP ${status})` : ''}: ${said}`,
    status,
    err,
  );
}
