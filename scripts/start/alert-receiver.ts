import { createServer, type Server } from 'node:http';

/** What the local receiver prints for one notification (Alertmanager webhook body, version "4"). */
export function describeNotification(body: unknown): string {
  const b = body as {
    status?: string;
    alerts?: { labels?: Record<string, string>; annotations?: Record<string, string>; startsAt?: string }[];
  };
  return (b.alerts ?? [])
    .map((a) => {
      const name = a.labels?.alertname ?? '?';
      const summary = a.annotations?.summary ?? JSON.stringify(a.labels ?? {});
      return `alert ${String(b.status).toUpperCase()} ${name}: ${summary} (since ${a.startsAt ?? '?'})`;
    })
    .join('\n');
}

/**
 * A webhook receiver for `npm start`, standing in for a team's Alertmanager, Slack relay or pager:
 * it logs every notification the alerting app sends, so a newcomer sees an alert fire.
 */
export function startAlertReceiver(port: number, log: (msg: string) => void): Promise<Server> {
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      try {
        log(describeNotification(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
      } catch {
        log(`alert receiver: a request that is not JSON on ${req.url ?? '/'}`);
      }
      res.writeHead(200).end();
    });
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve(server));
  });
}
