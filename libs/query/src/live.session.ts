import { tagsKey, type HotUpdate } from '@streammetrics/contracts';
import type { ServerMessage, Subscription } from './live.protocol';

/** The parts of a `ws` WebSocket a session uses (an interface, so the unit test needs no socket). */
export interface LiveSocket {
  readonly readyState: number;
  readonly bufferedAmount: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

/** `ws`'s readyState of an open socket. */
export const WS_OPEN = 1;

/** At most this many series wait per session; beyond it the oldest waiting update is dropped. */
export const MAX_PENDING_SERIES = 5_000;

interface Pending {
  update: HotUpdate;
  subscriptions: string[];
  coalesced: number;
}

export interface DeliveryStats {
  sent: number;
  coalesced: number;
  dropped: number;
}

/** The identity of a series an update belongs to: coalescing keeps the latest per series. */
export function seriesKeyOf(u: HotUpdate): string {
  const r = u.record;
  return `${r.serviceId}\u0000${r.metricName}\u0000${u.window}\u0000${tagsKey(r.tags)}`;
}

/**
 * One client's subscriptions and outbound queue. While the socket drains (bufferedAmount at or
 * under the high-water mark) updates go straight out in arrival order. When it does not — a slow
 * client, or one between a disconnect and its resume — updates wait in a map keyed by series, so a
 * newer update of a series replaces the older one instead of queueing behind it: memory is bounded
 * by the number of series, not by the update rate.
 */
export class LiveSession {
  readonly subscriptions = new Map<string, Subscription>();
  private readonly pending = new Map<string, Pending>();
  private socket?: LiveSocket;
  /** When the socket went away; undefined while attached. */
  detachedAt?: number;
  private nextId = 1;

  constructor(
    readonly id: string,
    readonly resumeToken: string,
    /** The API key that opened it: only the same key may resume it, and its revocation ends it. */
    readonly keyId: string,
    /** The services the key may read; null = every service. */
    readonly services: readonly string[] | null,
    private readonly highWaterBytes: number,
    private readonly stats: DeliveryStats,
  ) {}

  attach(socket: LiveSocket): void {
    this.socket = socket;
    this.detachedAt = undefined;
  }

  detach(socket: LiveSocket, now: number): void {
    if (this.socket !== socket) return;
    this.socket = undefined;
    this.detachedAt = now;
  }

  /** Ends the attached socket, if any (the key was revoked). */
  closeSocket(code: number, reason: string): void {
    if (this.socket?.readyState === WS_OPEN) {
      this.socket.send(
        JSON.stringify({ type: 'error', error: { code: reason, message: 'API key revoked or expired' } }),
      );
      this.socket.close(code, reason);
    }
  }

  isAttachedTo(socket: LiveSocket): boolean {
    return this.socket === socket;
  }

  newSubscriptionId(): string {
    return `s${this.nextId++}`;
  }

  /** Bytes the socket holds in user space, not yet handed to the kernel. */
  get bufferedBytes(): number {
    return this.socket?.bufferedAmount ?? 0;
  }

  get pendingCount(): number {
    return this.pending.size;
  }

  /** Sends a control message right away; it is small and the client needs it to make progress. */
  control(message: ServerMessage): void {
    if (this.socket?.readyState === WS_OPEN) this.socket.send(JSON.stringify(message));
  }

  deliver(update: HotUpdate, subscriptions: string[]): void {
    if (this.pending.size === 0 && this.writable()) {
      this.send({ type: 'update', subscriptions, coalesced: 0, update });
      return;
    }
    const key = seriesKeyOf(update);
    const prev = this.pending.get(key);
    if (prev) {
      // Map.set on an existing key keeps its position: the series keeps its turn in the queue.
      this.pending.set(key, { update, subscriptions, coalesced: prev.coalesced + 1 });
      this.stats.coalesced++;
      return;
    }
    if (this.pending.size >= MAX_PENDING_SERIES) {
      const oldest = this.pending.keys().next().value as string;
      this.pending.delete(oldest);
      this.stats.dropped++;
    }
    this.pending.set(key, { update, subscriptions, coalesced: 0 });
  }

  /** Sends waiting updates, oldest series first, while the socket keeps draining. */
  flush(): void {
    for (const [key, p] of this.pending) {
      if (!this.writable()) return;
      this.pending.delete(key);
      this.send({ type: 'update', subscriptions: p.subscriptions, coalesced: p.coalesced, update: p.update });
    }
  }

  private writable(): boolean {
    return (
      this.socket !== undefined &&
      this.socket.readyState === WS_OPEN &&
      this.socket.bufferedAmount <= this.highWaterBytes
    );
  }

  private send(message: ServerMessage): void {
    (this.socket as LiveSocket).send(JSON.stringify(message));
    this.stats.sent++;
  }
}
