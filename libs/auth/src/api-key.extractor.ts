/** The parts of an HTTP request (Fastify, Node's IncomingMessage, a WebSocket upgrade) a key is read from. */
export interface KeyBearingRequest {
  headers: Record<string, string | string[] | undefined>;
  url?: string;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Reads the key from `Authorization: Bearer <key>` (or `X-API-Key`). `?api_key=` is honoured only
 * when the caller opts in: browsers cannot set headers on a WebSocket, but keys in URLs end up in
 * access logs and history, so HTTP APIs keep it off.
 */
export function extractApiKey(req: KeyBearingRequest, allowQueryParam = false): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = BEARER.exec(auth);
    if (m) return m[1];
  }
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header.trim();
  if (allowQueryParam && req.url?.includes('api_key=')) {
    const value = new URL(req.url, 'http://localhost').searchParams.get('api_key');
    if (value) return value;
  }
  return undefined;
}
