import { z } from 'zod';

/** Query-string schemas of the alerting routes; one parse reports every problem (400). */

const text = (max: number) => z.string().min(1).max(max);

export const alertsQuerySchema = z.object({
  status: z.enum(['firing', 'pending'], { error: 'status must be firing or pending' }).optional(),
  service: text(200).optional(),
  ruleId: text(64).optional(),
});
export type AlertsQuery = z.output<typeof alertsQuerySchema>;

export const MAX_HISTORY_LIMIT = 1000;

export const historyQuerySchema = z.object({
  ruleId: text(64).optional(),
  fingerprint: text(32).optional(),
  service: text(200).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_HISTORY_LIMIT).default(100),
  /** The smallest id of the previous page: the next page holds older entries. */
  before: z.coerce.number().int().min(1).optional(),
});
export type HistoryQuery = z.output<typeof historyQuerySchema>;
