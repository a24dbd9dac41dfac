import type { ServerMessage } from './live.protocol';
import { WS_OPEN, type LiveSocket } from './live.session';

export function isOpen(socket: LiveSocket): boolean {
  return socket.readyState === WS_OPEN;
}

/** An `error` message to the client; the socket stays open. */
export function sendError(
  socket: LiveSocket,
  code: string,
  message: string,
  problems?: { field: string; message: string }[],
): void {
  if (!isOpen(socket)) return;
  const body: ServerMessage = { type: 'error', error: { code, message, ...(problems ? { problems } : {}) } };
  socket.send(JSON.stringify(body));
}

/** The `error` message, then the close with the protocol's close code: the client knows why. */
export function refuse(socket: LiveSocket, closeCode: number, errorCode: string, message: string): void {
  if (!isOpen(socket)) return;
  sendError(socket, errorCode, message);
  socket.close(closeCode, errorCode);
}
