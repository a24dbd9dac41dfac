/**
 * Live updates over the query-api WebSocket. Reconnects with backoff; a reconnect presents the
 * resume token so the server restores the subscriptions (and the latest update of each series
 * missed meanwhile). If the session expired, the client subscribes again from its own list.
 * The messages' types are the server's (libs/query/src/api.dto.ts), imported as types only.
 */
import type { ClientMessage, HotUpdate, ServerMessage, SubscribeMessage } from '@streammetrics/query/api';
import { apiKey } from './api';

export type LiveUpdate = HotUpdate;
/** A subscription as the dashboard keeps it: always with its own id, so updates find their listener. */
export type LiveSubscription = Omit<SubscribeMessage, 'type' | 'id'> & { id: string };

type Listener = (u: LiveUpdate) => void;
export type LiveState = 'connecting' | 'live' | 'reconnecting';

export class LiveClient {
  private ws?: WebSocket;
  private resumeToken?: string;
  private readonly subs = new Map<string, { sub: LiveSubscription; listener: Listener }>();
  private attempt = 0;
  private stateListener: (s: LiveState) => void = () => {};
  updates = 0;

  constructor(private readonly path: string) {}

  onState(cb: (s: LiveState) => void): void {
    this.stateListener = cb;
  }

  start(): void {
    this.connect();
  }

  subscribe(sub: LiveSubscription, listener: Listener): void {
    this.subs.set(sub.id, { sub, listener });
    this.send({ type: 'subscribe', ...sub });
  }

  unsubscribe(id: string): void {
    if (this.subs.delete(id)) this.send({ type: 'unsubscribe', id });
  }

  private send(msg: ClientMessage): void {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(msg));
  }

  private connect(): void {
    const url = new URL(this.path, location.href);
    url.protocol = location.protocol === 'https:' ? 'wss:' : 'ws:';
    if (this.resumeToken) url.searchParams.set('resume', this.resumeToken);
    this.stateListener(this.attempt === 0 ? 'connecting' : 'reconnecting');
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.onopen = () => this.send({ type: 'auth', apiKey: apiKey() ?? '' });
    ws.onmessage = (ev) => this.onMessage(JSON.parse(String(ev.data)) as ServerMessage);
    ws.onclose = () => {
      if (this.ws !== ws) return;
      this.stateListener('reconnecting');
      const delay = Math.min(10_000, 500 * 2 ** this.attempt++) * (0.75 + Math.random() / 2);
      setTimeout(() => this.connect(), delay);
    };
  }

  private onMessage(msg: ServerMessage): void {
    if (msg.type === 'welcome') {
      this.attempt = 0;
      this.resumeToken = msg.resumeToken;
      const known = new Set(msg.subscriptions.map((s) => s.id));
      // Whatever the server does not hold any more (new session, or changed while away) is sent again.
      for (const { sub } of this.subs.values())
        if (!msg.resumed || !known.has(sub.id)) this.send({ type: 'subscribe', ...sub });
      for (const id of known) if (!this.subs.has(id)) this.send({ type: 'unsubscribe', id });
      this.stateListener('live');
    } else if (msg.type === 'update') {
      this.updates++;
      for (const id of msg.subscriptions) this.subs.get(id)?.listener(msg.update);
    }
  }
}
