import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { CLOCK, type Clock, type HotUpdate, tagsKey } from '@streammetrics/contracts';
import {
  ApiKeyError,
  ApiKeyService,
  extractApiKey,
  hasScope,
  type ApiKeyIdentity,
} from '@streammetrics/auth';
import { HealthService, METRICS_REGISTRY } from '@streammetrics/observability';
import { HotStoreRepository } from './hot-store.repository';
import { clientMessageSchema, toSubscription, type ServerMessage, type Subscription } from './live.protocol';
import {
  CLOSE_AUTH_UNAVAILABLE,
  CLOSE_FORBIDDEN,
  CLOSE_IDLE,
  CLOSE_TOO_MANY_CONNECTIONS,
  CLOSE_UNAUTHORIZED,
  LIVE_MAX_AUTH_MESSAGE_BYTES,
  LIVE_MAX_QUEUED_BEFORE_AUTH,
  LiveConnectionCounts,
} from './live.limits';
import { LiveSession, type DeliveryStats, type LiveSocket } from './live.session';
import { QUERY_OPTIONS, type QueryOptions } from './query.options';

/** A socket as the `ws` library hands it over: a LiveSocket that also emits events. */
export interface WsLike extends LiveSocket {
  on(event: 'message', cb: (data: Buffer | string) => void): void;
  on(event: 'close' | 'pong', cb: () => void): void;
  ping(): void;
}

/** How long an unauthenticated socket may wait before its first message must be `auth`. */
const AUTH_TIMEOUT_MS = 5_000;
const FLUSH_INTERVAL_MS = 25;
/** How often open sessions are checked against the key table (revocation) and for idleness. */
const SWEEP_INTERVAL_MS = 1_000;
const MAX_SUBSCRIPTIONS = 200;

/** One socket's standing: its key once verified, when it last showed life. */
interface SocketState {
  keyId?: string;
  session?: LiveSession;
  lastSeen: number;
}

const OPEN = 1;

/** The key of an `auth` message, or undefined for anything else (nothing larger is parsed). */
function authMessageKey(data: Buffer | string): string | undefined {
  if (Buffer.byteLength(data) > LIVE_MAX_AUTH_MESSAGE_BYTES) return undefined;
  try {
    const parsed = clientMessageSchema.safeParse(JSON.parse(String(data)));
    return parsed.success && parsed.data.type === 'auth' ? parsed.data.apiKey : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The WebSocket fan-out: ONE Redis subscription per process, matched in memory against every
 * session's subscriptions (indexed by service). Sessions outlive their sockets for
 * wsResumeTtlMs, so a client that reconnects with its resume token keeps its subscriptions and
 * receives the latest update of each series it missed.
 */
@Injectable()
export class LiveHub implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('LiveHub');
  private readonly sessions = new Map<string, LiveSession>();
  private readonly byToken = new Map<string, LiveSession>();
  /** serviceId -> sessions with at least one subscription to it. */
  private readonly byService = new Map<string, Set<LiveSession>>();
  private readonly stats: DeliveryStats = { sent: 0, coalesced: 0, dropped: 0 };
  private readonly sockets = new Map<WsLike, SocketState>();
  private readonly counts: LiveConnectionCounts;
  private timer?: NodeJS.Timeout;
  private sweeper?: NodeJS.Timeout;
  private subscribed = false;

  constructor(
    private readonly hot: HotStoreRepository,
    private readonly keys: ApiKeyService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(QUERY_OPTIONS) private readonly opts: QueryOptions,
    @Inject(METRICS_REGISTRY) registry: Registry,
    health: HealthService,
  ) {
    this.counts = new LiveConnectionCounts(opts.wsMaxConnections, opts.wsMaxConnectionsPerKey);
    const s = this.stats;
    const sessions = this.sessions;
    const gauge = (name: string, help: string, value: () => number) =>
      new Gauge({
        name,
        help,
        registers: [registry],
        collect() {
          this.set(value());
        },
      });
    gauge('streammetrics_query_ws_connections', 'Open WebSocket connections', () => this.counts.open);
    gauge(
      'streammetrics_query_ws_sessions',
      'Live WebSocket sessions (attached or awaiting resume)',
      () => sessions.size,
    );
    gauge('streammetrics_query_ws_pending_updates', 'Coalesced updates waiting for slow clients', () => {
      let n = 0;
      for (const x of sessions.values()) n += x.pendingCount;
      return n;
    });
    gauge('streammetrics_query_ws_buffered_bytes', 'Bytes queued in the sockets of live sessions', () => {
      let n = 0;
      for (const x of sessions.values()) n += x.bufferedBytes;
      return n;
    });
    // Monotonic totals the hub keeps itself: counters by type (Prometheus' rate() needs that), read
    // at scrape time like the gauges.
    const counter = (name: string, help: string, value: () => number) =>
      new Counter({
        name,
        help,
        registers: [registry],
        collect() {
          this.reset();
          this.inc(value());
        },
      });
    counter('streammetrics_query_ws_updates_sent_total', 'Live updates sent', () => s.sent);
    counter(
      'streammetrics_query_ws_updates_coalesced_total',
      'Live updates replaced by a newer one of the same series',
      () => s.coalesced,
    );
    counter(
      'streammetrics_query_ws_updates_dropped_total',
      'Live updates dropped: too many series waiting',
      () => s.dropped,
    );
    health.register('live-updates', () => ({
      ok: this.subscribed,
      detail: this.subscribed ? undefined : 'not subscribed',
    }));
  }

  async onModuleInit(): Promise<void> {
    await this.hot.subscribeUpdates((u) => this.publish(u));
    this.subscribed = true;
    this.timer = setInterval(() => this.tick(), FLUSH_INTERVAL_MS);
    this.timer.unref();
    let sweeping = false;
    this.sweeper = setInterval(() => {
      if (sweeping) return;
      sweeping = true;
      void this.sweep().finally(() => (sweeping = false));
    }, SWEEP_INTERVAL_MS);
    this.sweeper.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.sweeper) clearInterval(this.sweeper);
  }

  get deliveryStats(): Readonly<DeliveryStats> {
    return this.stats;
  }

  /** Called by the gateway for every new socket. */
  connect(socket: WsLike, req: IncomingMessage): void {
    if (!this.counts.tryOpen()) {
      return this.refuse(
        socket,
        CLOSE_TOO_MANY_CONNECTIONS,
        'TOO_MANY_CONNECTIONS',
        'server at its connection limit',
      );
    }
    const state: SocketState = { lastSeen: this.clock.now() };
    this.sockets.set(socket, state);
    const resume = new URL(req.url ?? '/', 'http://localhost').searchParams.get('resume') ?? undefined;
    const headerKey = extractApiKey(req);
    // Messages that arrive while the key is checked wait unparsed; nothing before `auth` is parsed.
    let queued: (Buffer | string)[] | undefined;
    const authTimer = setTimeout(
      () =>
        this.refuse(socket, CLOSE_UNAUTHORIZED, 'UNAUTHORIZED', 'send {"type":"auth","apiKey":...} first'),
      AUTH_TIMEOUT_MS,
    );

    const begin = async (apiKey: string | undefined) => {
      queued = [];
      try {
        const identity = await this.keys.verify(apiKey);
        if (!hasScope(identity, 'read')) {
          return this.refuse(socket, CLOSE_FORBIDDEN, 'FORBIDDEN', 'API key without the "read" scope');
        }
        if (socket.readyState !== OPEN) return;
        if (!this.counts.tryBind(identity.id)) {
          return this.refuse(
            socket,
            CLOSE_TOO_MANY_CONNECTIONS,
            'TOO_MANY_CONNECTIONS',
            `at most ${this.opts.wsMaxConnectionsPerKey} connections per API key`,
          );
        }
        clearTimeout(authTimer);
        state.keyId = identity.id;
        state.session = this.open(socket, identity, resume);
        for (const data of queued.splice(0)) this.handle(state.session, socket, data);
      } catch (err) {
        const e = err as ApiKeyError;
        if (e.code === 'AUTH_UNAVAILABLE')
          return this.refuse(socket, CLOSE_AUTH_UNAVAILABLE, e.code, e.message);
        return this.refuse(socket, CLOSE_UNAUTHORIZED, 'UNAUTHORIZED', e.message ?? 'invalid API key');
      }
    };
    if (headerKey) void begin(headerKey);

    socket.on('pong', () => (state.lastSeen = this.clock.now()));
    socket.on('message', (data) => {
      state.lastSeen = this.clock.now();
      if (state.session) return this.handle(state.session, socket, data);
      if (queued) {
        if (queued.length >= LIVE_MAX_QUEUED_BEFORE_AUTH)
          return this.refuse(
            socket,
            CLOSE_UNAUTHORIZED,
            'UNAUTHORIZED',
            'too many messages before authentication',
          );
        queued.push(data);
        return;
      }
      const apiKey = authMessageKey(data);
      if (apiKey === undefined)
        return this.refuse(
          socket,
          CLOSE_UNAUTHORIZED,
          'UNAUTHORIZED',
          'the first message must be {"type":"auth","apiKey":...}',
        );
      void begin(apiKey);
    });

    socket.on('close', () => {
      clearTimeout(authTimer);
      this.sockets.delete(socket);
      this.counts.close();
      if (state.keyId) this.counts.unbind(state.keyId);
      state.session?.detach(socket, this.clock.now());
    });
  }

  /** One message of an authenticated client. */
  private handle(session: LiveSession, socket: WsLike, data: Buffer | string): void {
    let msg;
    try {
      const parsed = clientMessageSchema.safeParse(JSON.parse(String(data)));
      if (!parsed.success) {
        return this.error(
          socket,
          'VALIDATION_FAILED',
          'invalid message',
          parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
        );
      }
      msg = parsed.data;
    } catch {
      return this.error(socket, 'BAD_MESSAGE', 'messages must be JSON');
    }
    if (msg.type === 'auth') return this.error(socket, 'BAD_MESSAGE', 'already authenticated');
    if (msg.type === 'ping') return session.control({ type: 'pong' });
    if (msg.type === 'unsubscribe') return this.unsubscribe(session, msg.id);
    if (session.services && !session.services.includes(msg.service)) {
      return this.error(socket, 'FORBIDDEN', `this API key may not read service "${msg.service}"`);
    }
    if (session.subscriptions.size >= MAX_SUBSCRIPTIONS && !(msg.id && session.subscriptions.has(msg.id))) {
      return this.error(socket, 'TOO_MANY_SUBSCRIPTIONS', `at most ${MAX_SUBSCRIPTIONS} subscriptions`);
    }
    this.subscribe(session, toSubscription(msg, msg.id ?? session.newSubscriptionId()));
  }

  private open(socket: WsLike, key: ApiKeyIdentity, resumeToken: string | undefined): LiveSession {
    const previous = resumeToken ? this.byToken.get(resumeToken) : undefined;
    if (previous && previous.keyId === key.id) {
      previous.attach(socket);
      previous.control(this.welcome(previous, true));
      previous.flush();
      return previous;
    }
    const session = new LiveSession(
      randomBytes(8).toString('hex'),
      randomBytes(24).toString('base64url'),
      key.id,
      key.services,
      this.opts.wsHighWaterBytes,
      this.stats,
    );
    session.attach(socket);
    this.sessions.set(session.id, session);
    this.byToken.set(session.resumeToken, session);
    session.control(this.welcome(session, false));
    return session;
  }

  /**
   * Closes the sockets of revoked or expired keys (the key table reloads at most every 2 s, so
   * they close within seconds), drops their sessions, and closes sockets idle past the timeout
   * after pinging the quiet ones (a browser answers pings by itself).
   */
  private async sweep(): Promise<void> {
    const now = this.clock.now();
    for (const [socket, state] of this.sockets) {
      if (now - state.lastSeen > this.opts.wsIdleTimeoutMs) {
        this.refuse(socket, CLOSE_IDLE, 'IDLE_TIMEOUT', 'no message or pong within the idle timeout');
      } else if (now - state.lastSeen > this.opts.wsIdleTimeoutMs / 2 && socket.readyState === OPEN) {
        socket.ping();
      }
    }
    const keyIds = new Set([...this.sessions.values()].map((s) => s.keyId));
    for (const id of keyIds) {
      let active: boolean;
      try {
        active = await this.keys.isActive(id);
      } catch {
        continue; // the key table is unreachable: sessions keep going, as verification does
      }
      if (active) continue;
      for (const s of [...this.sessions.values()].filter((x) => x.keyId === id)) {
        s.closeSocket(CLOSE_UNAUTHORIZED, 'UNAUTHORIZED');
        this.drop(s);
      }
    }
  }

  private welcome(s: LiveSession, resumed: boolean): ServerMessage {
    return {
      type: 'welcome',
      session: s.id,
      resumeToken: s.resumeToken,
      resumed,
      subscriptions: [...s.subscriptions.values()],
    };
  }

  private subscribe(session: LiveSession, sub: Subscription): void {
    session.subscriptions.set(sub.id, sub);
    let set = this.byService.get(sub.service);
    if (!set) this.byService.set(sub.service, (set = new Set()));
    set.add(session);
    session.control({ type: 'subscribed', subscription: sub });
  }

  private unsubscribe(session: LiveSession, id: string): void {
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

  private tick(): void {
    const now = this.clock.now();
    for (const s of this.sessions.values()) {
      if (s.detachedAt !== undefined && now - s.detachedAt > this.opts.wsResumeTtlMs) this.drop(s);
      else if (s.pendingCount > 0) s.flush();
    }
  }

  private drop(s: LiveSession): void {
    this.sessions.delete(s.id);
    this.byToken.delete(s.resumeToken);
    for (const sub of s.subscriptions.values()) this.byService.get(sub.service)?.delete(s);
  }

  private refuse(socket: LiveSocket, code: number, errorCode: string, message: string): void {
    if (socket.readyState !== OPEN) return;
    this.error(socket, errorCode, message);
    socket.close(code, errorCode);
  }

  private error(
    socket: LiveSocket,
    code: string,
    message: string,
    problems?: { field: string; message: string }[],
  ): void {
    if (socket.readyState !== OPEN) return;
    const body: ServerMessage = {
      type: 'error',
      error: { code, message, ...(problems ? { problems } : {}) },
    };
    socket.send(JSON.stringify(body));
  }

  /** For logs at shutdown and tests. */
  describe(): { sessions: number; pending: number } {
    let pending = 0;
    for (const s of this.sessions.values()) pending += s.pendingCount;
    this.log.debug(`sessions=${this.sessions.size} pending=${pending}`);
    return { sessions: this.sessions.size, pending };
  }
}
