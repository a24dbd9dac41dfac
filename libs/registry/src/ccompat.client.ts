/**
 * The few calls of the Confluent schema registry API that the client library does not offer:
 * compatibility levels, and looking up the version a schema has under a subject. The same API is
 * served by Confluent's registry at its root and by Apicurio under /apis/ccompat/v7.
 */
const CONTENT_TYPE = 'application/vnd.schemaregistry.v1+json';
const TIMEOUT_MS = 5_000;

/** A registry answer other than 2xx, carrying the registry's own message. */
export class CcompatHttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errorCode?: number,
  ) {
    super(message);
    this.name = 'CcompatHttpError';
  }
}

export type CompatibilityLevel =
  'NONE' | 'BACKWARD' | 'BACKWARD_TRANSITIVE' | 'FORWARD' | 'FORWARD_TRANSITIVE' | 'FULL' | 'FULL_TRANSITIVE';

const trimmed = (baseUrl: string) => baseUrl.replace(/\/+$/, '');

export async function ccompatRequest<T>(
  baseUrl: string,
  method: 'GET' | 'PUT' | 'POST',
  path: string,
  body?: unknown,
  timeoutMs = TIMEOUT_MS,
): Promise<T> {
  const res = await fetch(`${trimmed(baseUrl)}${path}`, {
    method,
    headers: { accept: `${CONTENT_TYPE}, application/json`, 'content-type': CONTENT_TYPE },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : JSON.parse(text);
  } catch {
    json = undefined;
  }
  if (!res.ok) {
    const err = json as { message?: unknown; error_code?: unknown } | undefined;
    throw new CcompatHttpError(
      res.status,
      typeof err?.message === 'string' ? err.message : `HTTP ${res.status}: ${text.slice(0, 300)}`,
      typeof err?.error_code === 'number' ? err.error_code : undefined,
    );
  }
  return json as T;
}

const configPath = (subject?: string) =>
  subject === undefined ? '/config' : `/config/${encodeURIComponent(subject)}`;

/** The global level, or a subject's. Both registries answer `compatibilityLevel` on GET. */
export async function getCompatibility(
  baseUrl: string,
  subject?: string,
  timeoutMs?: number,
): Promise<string> {
  const r = await ccompatRequest<{ compatibilityLevel?: string; compatibility?: string }>(
    baseUrl,
    'GET',
    configPath(subject),
    undefined,
    timeoutMs,
  );
  return r.compatibilityLevel ?? r.compatibility ?? 'unknown';
}

export async function putCompatibility(
  baseUrl: string,
  level: CompatibilityLevel,
  subject?: string,
): Promise<void> {
  await ccompatRequest(baseUrl, 'PUT', configPath(subject), { compatibility: level });
}

/** The version and id `schema` has under `subject`; undefined when the subject does not hold it. */
export async function lookUpVersion(
  baseUrl: string,
  subject: string,
  schemaType: 'JSON' | 'AVRO' | 'PROTOBUF',
  schema: string,
): Promise<{ id: number; version: number } | undefined> {
  try {
    return await ccompatRequest<{ id: number; version: number }>(
      baseUrl,
      'POST',
      `/subjects/${encodeURIComponent(subject)}`,
      { schemaType, schema },
    );
  } catch (err) {
    if (err instanceof CcompatHttpError && err.status === 404) return undefined;
    throw err;
  }
}
