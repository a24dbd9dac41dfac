import { randomBytes } from 'node:crypto';
import { tagsKey, type HotUpdate } from '@streammetrics/contracts';
import type { ApiKeyIdentity } from '@streammetrics/auth';
import type { ServerMessage, Subscription } from './live.protocol';
import { LiveSession, type DeliveryStats, type LiveSocket } from './live.session';

/**
 * Every live session of the process and the index the fan-out matches updates with: sessions by
 * resume token (a reconnecting client gets its session back) and by service (an update only visits
 * the sessions subscribed to its service).
 */
export class LiveSessions {
  readonly stats: DeliveryStats = { sent: 0, coalesced: 0, dropped: 0 };
  private readonly byId = new Map<string, LiveSession>();
  private readonly byToken = new Map<string, LiveSession>();
  /** serviceId -> sessions with at least one subscription to it. */
  private readonly byService = new Map<string, Set<LiveSession>>();

  constructor(private readonly highWaterBytes: number) {}

  get size(): number {
    return this.byId.size;
  }

  /** Updates waiting for slow or detached clients, over all sessions. */
  get pendingCount(): number {
    let n = 0;
    for (const s of this.byId.values()) n += s.pendingCount;
    return n;
  }

  get bufferedBytes(): number {
    let n = 0;
    for (const s of this.byId.values()) n += s.bufferedBytes;
    return n;
  }

  /**
   * The session of `resumeToken` when the same key opened it (its missed updates flush now), else a
   * new one. Either way the client is told with a `welcome`.
   */
  open(socket: LiveSocket, key: ApiKeyIdentity, resumeToken: string | undefined): LiveSession {
    const previous = resumeToken ? this.byToken.get(resumeToken) : undefined;
    if (previous && previous.keyId === key.id) {
      previous.attach(socket);
      previous.control(welcome(previous, true));
      previous.flush();
      return previous;
    }
    const session = new LiveSession(
      randomBytes(8).toString('hex'),
      randomBytes(24).toString('base64url'),
      key.id,
      key.services,
      this.highWaterBytes,
      this.stats,
    );
    session.attach(socket);
    this.byId.set(session.id, session);
    this.byToken.set(session.resumeToken, session);
    session.control(welcome(session, false));
    return session;
  }

  subscribe(session: LiveSession, sub: Subscription): void {
    session.subscriptions.set(sub.id, sub);
    let set = this.byService.get(sub.service);
    if (!set) this.byService.set(sub.service, (set = new Set()));
    set.add(session);
    session.control({ type: 'subscribed', subscription: sub });
  }

  unsubscribe(session: LiveSession, id: string): void {
    const sub = session.subscriptions.get(id);
    session.subscriptions.delete(id);
    if (sub && ![...session.subscriptions.values()].some((s) => s.service === sub.service)) {
      this.byService.get(sub.service)?.delete(session);
    }
    session.control({ type: 'unsubscribed', id });
  }

  /** Fans one update out to every matching subscription; each session gets it once. */
  publish(u: HotUpdate): void {
    const targets = this.byService.get(u.record.serviceId);
    if (!targets || targets.size === 0) return;
    let key: string | undefined;
    for (const session of targets) {
      const ids: string[] = [];
      for (const sub of session.subscriptions.values()) {
        if (sub.service !== u.record.serviceId) continue;
        if (sub.window && sub.window !== u.window) continue;
        if (sub.metric !== undefined) {
          if (sub.metric !== u.record.metricName) continue;
          key ??= tagsKey(u.record.tags);
          if (sub.tagsKey !== key) continue;
        }
        ids.push(sub.id);
      }
      if (ids.length) session.deliver(u, ids);
    }
  }

  /** Drops sessions detached longer than `resumeTtlMs`; flushes what waits in the others. */
  tick(now: number, resumeTtlMs: number): void {
    for (const s of this.byId.values()) {
      if (s.detachedAt !== undefined && now - s.detachedAt > resumeTtlMs) this.drop(s);
      else if (s.pendingCount > 0) s.flush();
    }
  }

  /** The keys that hold at least one session (what the revocation sweep checks). */
  keyIds(): Set<string> {
    return new Set([...this.byId.values()].map((s) => s.keyId));
  }

  /** Ends every session of a revoked or expired key, closing its socket with `code`. */
  endKey(keyId: string, code: number, reason: string): void {
    for (const s of [...this.byId.values()].filter((x) => x.keyId === keyId)) {
      s.closeSocket(code, reason);
      this.drop(s);
    }
  }

  private drop(s: LiveSession): void {
    this.byId.delete(s.id);
    this.byToken.delete(s.resumeToken);
    for (const sub of s.subscriptions.values()) this.byService.get(sub.service)?.delete(s);
  }
}

function welcome(s: LiveSession, resumed: boolean): ServerMessage {
  return {
    type: 'welcome',
    session: s.id,
    resumeToken: s.resumeToken,
    resumed,
    subscriptions: [...s.subscriptions.values()],
  };
}
