import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { WebhookBody } from '@streammetrics/alerting';

export interface Received {
  path: string;
  idempotencyKey: string;
  body: WebhookBody;
  at: number;
}

/** What the receiver does with a request: answer with a status, or never answer (a hung receiver). */
export type Behaviour = (r: Received, nth: number) => number | 'hang';

/**
 * A real HTTP webhook receiver, as a team's own alert handler would be. Each path can behave
 * differently (answer 500 for a while, hang); every request is recorded, answered or not.
 */
export class WebhookReceiver {
  readonly received: Received[] = [];
  private readonly behaviours = new Map<string, Behaviour>();
  private readonly hung: ServerResponse[] = [];
  private server: Server | undefined;
  port = 0;

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.onRequest(req, res));
    await new Promise<void>((r) => this.server?.listen(0, '127.0.0.1', r));
    this.port = (this.server.address() as AddressInfo).port;
  }

  url(path: string): string {
    return `http://127.0.0.1:${this.port}${path}`;
  }

  behave(path: string, b: Behaviour): void {
    this.behaviours.set(path, b);
  }

  on(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** The notifications of a path once a receiver deduplicating by Idempotency-Key dropped repeats. */
  deduplicated(path: string): Received[] {
    const seen = new Set<string>();
    return this.on(path).filter((r) => !seen.has(r.idempotencyKey) && seen.add(r.idempotencyKey));
  }

  async stop(): Promise<void> {
    for (const res of this.hung) res.destroy();
    await new Promise((r) => this.server?.close(r));
  }

  private onRequest(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r: Received = {
        path: req.url ?? '',
        idempotencyKey: String(req.headers['idempotency-key'] ?? ''),
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookBody,
        at: Date.now(),
      };
      const nth = this.on(r.path).length;
      this.received.push(r);
      const answer = this.behaviours.get(r.path)?.(r, nth) ?? 200;
      if (answer === 'hang') {
        this.hung.push(res);
        return;
      }
      res.writeHead(answer).end();
    });
  }
}
