import { z } from 'zod';
import { canonicalTags, tagsKey, type HotUpdate, type WindowId } from '@streammetrics/contracts';
import type { ApiErrorBody } from './api-error';

/**
 * The live WebSocket protocol (ws://host:3000/api/v1/live), JSON text frames, documented in
 * apps/query-api/README.md. Client → server messages:
 */
const NAME = /^[A-Za-z0-9._-]{1,200}$/;
const WINDOWS = ['1m', '5m', '15m', '1m-hop10s'] as const;

export const clientMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), apiKey: z.string().min(1).max(512) }),
  z.object({
    type: z.literal('subscribe'),
    /** Client-chosen id echoed on every update; generated when absent. */
    id: z.string().min(1).max(100).optional(),
    service: z.string().regex(NAME, 'service must match ' + NAME.source),
    /** Absent: every metric of the service (a whole-service subscription). */
    metric: z
      .string()
      .regex(NAME, 'metric must match ' + NAME.source)
      .optional(),
    /** Absent: every window size. */
    window: z.enum(WINDOWS).optional(),
    /** The exact tag set of one series; {} (default) is the service-level rollup. Ignored without metric. */
    tags: z.record(z.string().max(256), z.string().max(256)).optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), id: z.string().min(1).max(100) }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientMessage = z.output<typeof clientMessageSchema>;

export interface Subscription {
  id: string;
  service: string;
  metric?: string;
  window?: WindowId;
  /** tagsKey() of the series ("" for the rollup); undefined for a whole-service subscription. */
  tagsKey?: string;
  tags?: Record<string, string>;
}

/** Server → client messages. */
export type ServerMessage =
  | { type: 'welcome'; session: string; resumeToken: string; resumed: boolean; subscriptions: Subscription[] }
  | { type: 'subscribed'; subscription: Subscription }
  | { type: 'unsubscribed'; id: string }
  | {
      type: 'update';
      /** Ids of the client's subscriptions this update matches. */
      subscriptions: string[];
      /** How many older updates of the same series this one replaced while the client was slow. */
      coalesced: number;
      update: HotUpdate;
    }
  | ({ type: 'error' } & ApiErrorBody)
  | { type: 'pong' };

export function toSubscription(m: Extract<ClientMessage, { type: 'subscribe' }>, id: string): Subscription {
  const base: Subscription = { id, service: m.service };
  if (m.window) base.window = m.window;
  if (!m.metric) return base;
  const tags = canonicalTags(m.tags ?? {});
  return { ...base, metric: m.metric, tags, tagsKey: tagsKey(tags) };
}
