import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Registry } from 'prom-client';
import { CLOCK, type Clock } from '@streammetrics/contracts';
import { ApiKeyError, ApiKeyService, extractApiKey, hasScope } from '@streammetrics/auth';
import { HealthService, METRICS_REGISTRY } from '@streammetrics/observability';
import { HotStoreRepository } from './hot-store.repository';
import { clientMessageSchema, toSubscription } from './live.protocol';
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
import { registerLiveMetrics } from './live.metrics';
import { isOpen, refuse, sendError } from './live.replies';
import type { DeliveryStats, LiveSession, LiveSocket } from './live.session';
import { LiveSessions } from './live.sessions';
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
 * session's subscriptions (LiveSessions). The hub owns the sockets: their authentication, their
 * messages, idleness and revocation. Sessions outlive their sockets for wsResumeTtlMs, so a client
 * that reconnects with its resume token keeps its subscriptions and receives the latest update of
 * each series it missed.
 */
@Injectable()
export class LiveHub implements OnModuleInit, OnModuleDestroy {
  private readonly log = new Logger('LiveHub');
  private readonly sessions: LiveSessions;
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
    this.sessions = new LiveSessions(opts.wsHighWaterBytes);
    registerLiveMetrics(registry, this.sessions, () => this.counts.open);
    health.register('live-updates', () => ({
      ok: this.subscribed,
      detail: this.subscribed ? undefined : 'not subscribed',
    }));
  }

  async onModuleInit(): Promise<void> {
    await this.hot.subscribeUpdates((u) => this.sessions.publish(u));
    this.subscribed = true;
    this.timer = setInterval(
      () => this.sessions.tick(this.clock.now(), this.opts.wsResumeTtlMs),
      FLUSH_INTERVAL_MS,
    );
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
    return this.sessions.stats;
  }

  /** Called by the gateway for every new socket. */
  connect(socket: WsLike, req: IncomingMessage): void {
    if (!this.counts.tryOpen()) {
      return refuse(
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
      () => refuse(socket, CLOSE_UNAUTHORIZED, 'UNAUTHORIZED', 'send {"type":"auth","apiKey":...} first'),
      AUTH_TIMEOUT_MS,
    );

    const begin = async (apiKey: string | undefined) => {
      queued = [];
      try {
        const identity = await this.keys.verify(apiKey);
        if (!hasScope(identity, 'read')) {
          return refuse(socket, CLOSE_FORBIDDEN, 'FORBIDDEN', 'API key without the "read" scope');
        }
        if (!isOpen(socket)) return;
        if (!this.counts.tryBind(identity.id)) {
          return refuse(
            socket,
            CLOSE_TOO_MANY_CONNECTIONS,
            'TOO_MANY_CONNECTIONS',
            `at most ${this.opts.wsMaxConnectionsPerKey} connections per API key`,
          );
        }
        clearTimeout(authTimer);
        state.keyId = identity.id;
        state.session = this.sessions.open(socket, identity, resume);
        for (const data of queued.splice(0)) this.handle(state.session, socket, data);
      } catch (err) {
        const e = err as ApiKeyError;
        if (e.code === 'AUTH_UNAVAILABLE') return refuse(socket, CLOSE_AUTH_UNAVAILABLE, e.code, e.message);
        return refuse(socket, CLOSE_UNAUTHORIZED, 'UNAUTHORIZED', e.message ?? 'invalid API key');
      }
    };
    if (headerKey) void begin(headerKey);

    socket.on('pong', () => (state.lastSeen = this.clock.now()));
    socket.on('message', (data) => {
      state.lastSeen = this.clock.now();
      if (state.session) return this.handle(state.session, socket, data);
      if (queued) {
        if (queued.length >= LIVE_MAX_QUEUED_BEFORE_AUTH)
          return refuse(
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
        return refuse(
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
        return sendError(
          socket,
          'VALIDATION_FAILED',
          'invalid message',
          parsed.error.issues.map((i) => ({ field: i.path.join('.'), message: i.message })),
        );
      }
      msg = parsed.data;
    } catch {
      return sendError(socket, 'BAD_MESSAGE', 'messages must be JSON');
    }
    if (msg.type === 'auth') return sendError(socket, 'BAD_MESSAGE', 'already authenticated');
    if (msg.type === 'ping') return session.control({ type: 'pong' });
    if (msg.type === 'unsubscribe') return this.sessions.unsubscribe(session, msg.id);
    if (session.services && !session.services.includes(msg.service)) {
      return sendError(socket, 'FORBIDDEN', `this API key may not read service "${msg.service}"`);
    }
    if (session.subscriptions.size >= MAX_SUBSCRIPTIONS && !(msg.id && session.subscriptions.has(msg.id))) {
      return sendError(socket, 'TOO_MANY_SUBSCRIPTIONS', `at most ${MAX_SUBSCRIPTIONS} subscriptions`);
    }
    this.sessions.subscribe(session, toSubscription(msg, msg.id ?? session.newSubscriptionId()));
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
        refuse(socket, CLOSE_IDLE, 'IDLE_TIMEOUT', 'no message or pong within the idle timeout');
      } else if (now - state.lastSeen > this.opts.wsIdleTimeoutMs / 2 && isOpen(socket)) {
        socket.ping();
      }
    }
    for (const id of this.sessions.keyIds()) {
      let active: boolean;
      try {
        active = await this.keys.isActive(id);
      } catch {
        continue; // the key table is unreachable: sessions keep going, as verification does
      }
      if (!active) this.sessions.endKey(id, CLOSE_UNAUTHORIZED, 'UNAUTHORIZED');
    }
  }

  /** For logs at shutdown and tests. */
  describe(): { sessions: number; pending: number } {
    const d = { sessions: this.sessions.size, pending: this.sessions.pendingCount };
    this.log.debug(`sessions=${d.sessions} pending=${d.pending}`);
    return d;
  }
}
