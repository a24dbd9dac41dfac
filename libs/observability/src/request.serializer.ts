/** What pino-http hands the `req` serializer: Node's request, with what Fastify and Nest added. */
interface LoggedRequest {
  id?: unknown;
  method?: string;
  url?: string;
  remoteAddress?: string;
  remotePort?: number;
  headers?: Record<string, unknown>;
}

/** Headers worth a line in the request log; everything else (credentials, cookies) stays out. */
const LOGGED_HEADERS = ['host', 'user-agent', 'content-type', 'content-length', 'content-encoding'];

/**
 * The request as the access log shows it: an allow-list, because pino-http's default serializer
 * copies `query` and `params` and every header, and a key could travel in any of them. The query
 * string is cut from the URL (no API reads a key from it, but a client may still send one).
 */
export function serializeRequest(req: LoggedRequest): Record<string, unknown> {
  const headers: Record<string, unknown> = {};
  for (const h of LOGGED_HEADERS) if (req.headers?.[h] !== undefined) headers[h] = req.headers[h];
  const q = req.url?.indexOf('?') ?? -1;
  return {
    id: req.id,
    method: req.method,
    url: q >= 0 ? `${req.url?.slice(0, q)}?[redacted]` : req.url,
    remoteAddress: req.remoteAddress,
    headers,
  };
}
