/**
 * What one WebSocket client may spend. Protocol messages are small (a subscribe with its tags is
 * well under 1 KiB), so a frame above the payload cap is an attack or a bug: `ws` closes it with
 * 1009 before anything is buffered or parsed.
 */
export const LIVE_MAX_PAYLOAD_BYTES = 4 * 1024;
/** Before authentication only an `auth` message is read, and only this big (a key is ≤ 512 chars). */
export const LIVE_MAX_AUTH_MESSAGE_BYTES = 1024;
/** Messages that may arrive while a key is being verified; they are parsed once it is. */
export const LIVE_MAX_QUEUED_BEFORE_AUTH = 16;

/** Close codes (4000-4999 are the application's; 1008 and 1013 are the standard ones). */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_IDLE = 4408;
export const CLOSE_TOO_MANY_CONNECTIONS = 4429;
export const CLOSE_AUTH_UNAVAILABLE = 4503;

/** Open sockets in total and per key; a slot is taken at connect (total) and at auth (per key). */
export class LiveConnectionCounts {
  private total = 0;
  private readonly perKey = new Map<string, number>();

  constructor(
    private readonly maxTotal: number,
    private readonly maxPerKey: number,
  ) {}

  tryOpen(): boolean {
    if (this.total >= this.maxTotal) return false;
    this.total++;
    return true;
  }

  close(): void {
    this.total--;
  }

  tryBind(keyId: string): boolean {
    const n = this.perKey.get(keyId) ?? 0;
    if (n >= this.maxPerKey) return false;
    this.perKey.set(keyId, n + 1);
    return true;
  }

  unbind(keyId: string): void {
    const n = (this.perKey.get(keyId) ?? 1) - 1;
    if (n <= 0) this.perKey.delete(keyId);
    else this.perKey.set(keyId, n);
  }

  get open(): number {
    return this.total;
  }
}
