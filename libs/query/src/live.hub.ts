import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { Counter, Gauge, type Registry } from 'prom-client';
import { CLOCK, type Clock, type HotUpdate, tagsKey } from '@streammetrics/contracts';
import { ApiKeyError, ApiKeyService, extractApiKey, hasScope } from '@streammetrics/auth';
import { HealthService, METRICS_REGISTRY } from '@streammetrics/observability';
import { HotStoreRepository } from './hot-store.repository';
import { clientMessageSchema, toSubscription, type ServerMessage, type Subscription } from './live.protocol';
import { LiveSession, type DeliveryStats, type LiveSocket } from './live.session';
import { QUERY_OPTIONS, type QueryOptions } from './query.options';

/** A socket as the `ws` library hands it over: a LiveSocket that also emits events. */
export interface WsLike extends LiveSocket {
  on(event: 'message', cb: (data: Buffer | string) => void): void;
  on(event: 'close', cb: () => void): void;
}

/** How long an unauthenticated socket may wait before its first message must be `auth`. */
const AUTH_TIMEOUT_MS = 5_000;
const FLUSH_INTERVAL_MS = 25;
const MAX_SUBSCRIPTIONS = 200;

/** Close codes (4000-4999 are the application's). */
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_FORBIDDEN = 4403;
export const CLOSE_AUTH_UNAVAILABLE = 4503;

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
  private timer?: NodeJS.Timeout;
  private subscribed = false;

  constructor(
    private readonly hot: HotStoreRepository,
    private readonly keys: ApiKeyService,
    @Inject(CLOCK) private readonly clock: Clock,
    @Inject(QUERY_OPTIONS) private readonly opts: QueryOptions,
    @Inject(METRICS_REGISTRY) registry: Registry,
    health: HealthService,
  ) {
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
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  get deliveryStats(): Readonly<DeliveryStats> {
    return this.stats;
  }

  /** Called by the gateway for every new socket. */
  connect(socket: WsLike, req: IncomingMessage): void {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const resume = url.searchParams.get('resume') ?? undefined;
    const key = extractApiKey(req);
    let session: LiveSession | undefined;
    let authTimer: NodeJS.Timeout | undefined;

    const begin = async (apiKey: string | undefined) => {
      try {
        const identity = await this.keys.verify(apiKey);
        if (!hasScope(identity, 'read')) {
          return this.refuse(socket, CLOSE_FORBIDDEN, 'FORBIDDEN', 'API key without the "read" scope');
        }
        session = this.open(socket, identity.clientId, resume);
      } catch (err) {
        const e = err as ApiKeyError;
        if (e.code === 'AUTH_UNAVAILABLE')
          return this.refuse(socket, CLOSE_AUTH_UNAVAILABLE, e.code, e.message);
        return this.refuse(socket, CLOSE_UNAUTHORIZED, 'UNAUTHORIZED', e.message ?? 'invalid API key');
      }
    };

    let authenticating: Promise<void> | undefined;
    if (key) authenticating = begin(key);
    else {
      authTimer = setTimeout(
        () =>
          this.refuse(socket, CLOSE_UNAUTHORIZED, 'UNAUTHORIZED', 'send {"type":"auth","apiKey":...} first'),
        AUTH_TIMEOUT_MS,
      );
    }

    socket.on('message', (data) => {
      void (async () => {
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
        if (msg.type === 'auth') {
          if (authenticating || session) return this.error(socket, 'BAD_MESSAGE', 'already authenticated');
          clearTimeout(authTimer);
          authenticating = begin(msg.apiKey);
          return;
        }
        await authenticating;
        if (!session) return this.error(socket, 'UNAUTHORIZED', 'authenticate first');
        if (msg.type === 'ping') return session.control({ type: 'pong' });
        if (msg.type === 'unsubscribe') return this.unsubscribe(session, msg.id);
        if (
          session.subscriptions.size >= MAX_SUBSCRIPTIONS &&
          !(msg.id && session.subscriptions.has(msg.id))
        ) {
          return this.error(socket, 'TOO_MANY_SUBSCRIPTIONS', `at most ${MAX_SUBSCRIPTIONS} subscriptions`);
        }
        this.subscribe(session, toSubscription(msg, msg.id ?? session.newSubscriptionId()));
      })();
    });

    socket.on('close', () => {
      clearTimeout(authTimer);
      session?.detach(socket, this.clock.now());
    });
  }

  private open(socket: WsLike, clientId: string, resumeToken: string | undefined): LiveSession {
    const previous = resumeToken ? this.byToken.get(resumeToken) : undefined;
    if (previous && previous.clientId === clientId) {
      previous.attach(socket);
      previous.control(this.welcome(previous, true));
      previous.flush();
      return previous;
    }
    const session = new LiveSession(
      randomBytes(8).toString('hex'),
      randomBytes(24).toString('base64url'),
      clientId,
      this.opts.wsHighWaterBytes,
      this.stats,
    );
    session.attach(socket);
    this.sessions.set(session.id, session);
    this.byToken.set(session.resumeToken, session);
    session.control(this.welcome(session, false));
    return session;
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
    this.error(socket, errorCode, message);
    socket.close(code, errorCode);
  }

  private error(
    socket: LiveSocket,
    code: string,
    message: string,
    problems?: { field: string; message: string }[],
  ): void {
    if (socket.readyState !== 1) return;
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
