import WebSocket from 'ws';

export interface Msg {
  type: string;
  resumeToken?: string;
  resumed?: boolean;
  subscriptions?: unknown[];
  coalesced?: number;
  update?: {
    window: string;
    emit: string;
    record: {
      serviceId: string;
      metricName: string;
      tags: Record<string, string>;
      count: number;
      window: { start: number };
    };
  };
  error?: { code: string };
}

/** A client that records every message and lets a test wait for one. */
export class LiveClient {
  readonly messages: Msg[] = [];
  private waiters: (() => void)[] = [];
  closeCode?: number;
  readonly ws: WebSocket;

  constructor(url: string, key?: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(url, { ...options, headers: key ? { authorization: `Bearer ${key}` } : {} });
    this.ws.on('message', (d) => {
      this.messages.push(JSON.parse(String(d)) as Msg);
      this.waiters.splice(0).forEach((w) => w());
    });
    this.ws.on('error', () => undefined); // a refused or reset socket ends in 'close', which is what tests check
    this.ws.on('close', (code) => {
      this.closeCode = code;
      this.waiters.splice(0).forEach((w) => w());
    });
  }

  send(m: object): void {
    if (this.ws.readyState === WebSocket.CONNECTING)
      this.ws.once('open', () => this.ws.send(JSON.stringify(m)));
    else this.ws.send(JSON.stringify(m));
  }

  async until<T>(pick: (msgs: Msg[]) => T | undefined, what: string, timeoutMs = 15_000): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const v = pick(this.messages);
      if (v !== undefined && v !== false) return v;
      if (Date.now() > deadline)
        throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.slice(-3))}`);
      await new Promise<void>((r) => {
        this.waiters.push(r);
        setTimeout(r, 200);
      });
    }
  }

  updates(): Msg[] {
    return this.messages.filter((m) => m.type === 'update');
  }
}
