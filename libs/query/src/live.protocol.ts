import { z } from 'zod';
import { canonicalTags, isWindowId, tagsKey } from '@streammetrics/contracts';
import type { ClientMessage as ClientMessageDto, Subscription } from './api.dto';
export type { Subscription, ServerMessage } from './api.dto';

/**
 * The live WebSocket protocol (ws://host:3000/api/v1/live), JSON text frames, documented in
 * apps/query-api/README.md. Client → server messages:
 */
const NAME = /^[A-Za-z0-9._-]{1,200}$/;

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
    window: z.string().refine(isWindowId, { message: 'window must be a configured window' }).optional(),
    /** The exact tag set of one series; {} (default) is the service-level rollup. Ignored without metric. */
    tags: z.record(z.string().max(256), z.string().max(256)).optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), id: z.string().min(1).max(100) }),
  z.object({ type: z.literal('ping') }),
]);
export type ClientMessage = z.output<typeof clientMessageSchema>;

/** The schema accepts exactly the messages api.dto.ts documents (a compile error when they drift). */
export const CLIENT_MESSAGE_MATCHES_DTO: [ClientMessage, ClientMessageDto] extends [
  ClientMessageDto,
  ClientMessage,
]
  ? true
  : never = true;

export function toSubscription(m: Extract<ClientMessage, { type: 'subscribe' }>, id: string): Subscription {
  const base: Subscription = { id, service: m.service };
  if (m.window) base.window = m.window;
  if (!m.metric) return base;
  const tags = canonicalTags(m.tags ?? {});
  return { ...base, metric: m.metric, tags, tagsKey: tagsKey(tags) };
}
