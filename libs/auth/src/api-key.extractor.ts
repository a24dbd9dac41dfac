/** The parts of an HTTP request (Fastify, Node's IncomingMessage, a WebSocket upgrade) a key is read from. */
export interface KeyBearingRequest {
  headers: Record<string, string | string[] | undefined>;
}

const BEARER = /^Bearer\s+(\S+)\s*$/i;

/**
 * Reads the key from `Authorization: Bearer <key>` (or `X-API-Key`). Never from the URL: query
 * strings end up in access logs, proxies and browser history. A browser's WebSocket, which cannot
 * set headers, sends the key in its first message instead (live.protocol.ts `auth`).
 */
export function extractApiKey(req: KeyBearingRequest): string | undefined {
  const auth = req.headers.authorization;
  if (typeof auth === 'string') {
    const m = BEARER.exec(auth);
    if (m) return m[1];
  }
  const header = req.headers['x-api-key'];
  if (typeof header === 'string' && header.length > 0) return header.trim();
  return undefined;
}
