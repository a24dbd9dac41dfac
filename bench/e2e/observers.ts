import Redis from 'ioredis';
import type { Consumer, Kafka } from 'kafkajs';
import WebSocket from 'ws';
import { decodeAggregate, decodeHotUpdate, updatesChannel } from '@streammetrics/contracts';
import type { Point, ProbeLedger } from './probe.ledger';
import { startSideConsumer } from './side.consumer';

/** The probe series of one phase: the service rollup of `metric` of a service only probes write. */
export interface ProbeSeries {
  service: string;
  metric: string;
  ledger: ProbeLedger;
}

/** Routes a record of a probe series (1m tumbling, service rollup) to its phase's ledger. */
export class ProbeRouter {
  private readonly series = new Map<string, ProbeSeries>();
  private readonly services = new Set<string>();

  add(s: ProbeSeries): void {
    this.series.set(`${s.service}|${s.metric}`, s);
    this.services.add(s.service);
  }

  /** Cheap test before decoding: is `text` (a key or a message) about a probe service at all? */
  mentions(text: string): boolean {
    for (const s of this.services) if (text.includes(s)) return true;
    return false;
  }

  /** Gaps between consecutive interim records of one probe window on the topic: the emit cadence. */
  readonly emitGapsMs: number[] = [];
  private readonly lastEmit = new Map<string, number>();

  observe(
    point: Point,
    r: {
      serviceId: string;
      metricName: string;
      tags: Record<string, string>;
      window: { start: number };
      emittedAt: number;
      final: boolean;
    },
    count: number,
    at: number,
  ): void {
    const key = `${r.serviceId}|${r.metricName}`;
    const s = this.series.get(key);
    if (!s || Object.keys(r.tags).length > 0) return;
    if (point === 'kafka' && !r.final) {
      const w = `${key}|${r.window.start}`;
      const last = this.lastEmit.get(w);
      if (last !== undefined) this.emitGapsMs.push(r.emittedAt - last);
      this.lastEmit.set(w, r.emittedAt);
    }
    s.ledger.observe(point, r.window.start, count, at, r.emittedAt);
  }
}

/** The processor's output as any downstream reader sees it: the 1m topic, read_committed. */
export function watchAggregatedTopic(
  kafka: Kafka,
  topic: string,
  groupId: string,
  router: ProbeRouter,
): Promise<Consumer> {
  return startSideConsumer(kafka, { groupId, topic, fromBeginning: true }, (batch, at) => {
    for (const m of batch.messages) {
      // Record key = serviceId: the fleet's records are skipped without decoding them.
      if (!m.key || !router.mentions(m.key.toString())) continue;
      const r = decodeAggregate(m.value);
      if (r.window.type === 'tumbling' && r.window.size === '1m') router.observe('kafka', r, r.count, at);
    }
  });
}

/** Messages on the sink's pub/sub channel: every one, and those per second, for the report. */
export interface ChannelStats {
  messages: number;
}

/**
 * The sink's pub/sub message, subscribed like the query API does (one subscriber connection on
 * the channel of REDIS_URL's database).
 */
export async function watchUpdatesChannel(
  redisUrl: string,
  router: ProbeRouter,
): Promise<{ redis: Redis; stats: ChannelStats }> {
  const redis = new Redis(redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1 });
  const stats: ChannelStats = { messages: 0 };
  await redis.connect();
  redis.on('message', (_channel: string, message: string) => {
    stats.messages++;
    if (!router.mentions(message)) return;
    const u = decodeHotUpdate(message);
    if (u.window === '1m') router.observe('redis', u.record, u.record.count, Date.now());
  });
  await redis.subscribe(updatesChannel(redis.options.db));
  return { redis, stats };
}

type LiveMessage =
  | { type: 'welcome' | 'pong' | 'unsubscribed' }
  | { type: 'subscribed'; subscription: { id: string } }
  | { type: 'error'; error: { code: string; message: string } }
  | {
      type: 'update';
      subscriptions: string[];
      coalesced: number;
      update: { window: string; record: Parameters<ProbeRouter['observe']>[1] & { count: number } };
    };

/** A dashboard's live connection (docs/CONTRACTS.md "Query API and WebSocket"). */
export class LiveClient {
  private readonly acks = new Map<string, () => void>();
  /** Updates the server coalesced for this client: none while it keeps up. */
  coalesced = 0;
  errors: string[] = [];

  private constructor(
    private readonly ws: WebSocket,
    router: ProbeRouter,
  ) {
    ws.on('message', (data: Buffer) => {
      const at = Date.now();
      const m = JSON.parse(data.toString()) as LiveMessage;
      if (m.type === 'update') {
        this.coalesced += m.coalesced;
        if (m.update.window === '1m') router.observe('ws', m.update.record, m.update.record.count, at);
      } else if (m.type === 'subscribed') this.acks.get(m.subscription.id)?.();
      else if (m.type === 'error') this.errors.push(`${m.error.code}: ${m.error.message}`);
    });
  }

  static async connect(url: string, apiKey: string, router: ProbeRouter): Promise<LiveClient> {
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('error', reject);
    });
    const client = new LiveClient(ws, router);
    ws.send(JSON.stringify({ type: 'auth', apiKey }));
    // Keeps the connection from the idle close during long runs.
    const ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"ping"}'), 20_000);
    ping.unref();
    ws.once('close', () => clearInterval(ping));
    return client;
  }

  /** Subscribes to the service rollup of one metric's 1m window; resolves once the server confirmed. */
  subscribe(id: string, service: string, metric: string): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "subscribed" for ${id}: ${this.errors.join('; ')}`)),
        10_000,
      );
      this.acks.set(id, () => {
        clearTimeout(timer);
        resolve();
      });
      this.ws.send(JSON.stringify({ type: 'subscribe', id, service, metric, window: '1m', tags: {} }));
    });
  }

  close(): void {
    this.ws.close();
  }
}
