import { z } from 'zod';
import { isWindowId, WINDOW_SPECS, type ErrorProblem } from '@streammetrics/contracts';
import type { AlertRuleSpec } from '@streammetrics/contracts/api';
import { DURATION_HINT, parseDuration } from './duration';
import { parseRuleStat } from './rule.stat';
import { zodProblems } from './zod.problems';

const name = z.string().min(1).max(200);
const labelMap = z.record(
  z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'label names are [A-Za-z_][A-Za-z0-9_]*'),
  z.string().max(1000),
);
const duration = z.string().refine((s) => parseDuration(s) !== undefined, `must be ${DURATION_HINT}`);
const webhook = z
  .string()
  .max(2000)
  .refine((s) => {
    try {
      const u = new URL(s);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL');

/** The rule an author writes (REST body, rules file): every field checked, every problem reported. */
export const alertRuleSpecSchema = z.strictObject({
  name,
  service: z.string().max(200).optional(),
  metric: z.string().max(200).optional(),
  tags: z.record(z.string().min(1).max(100), z.string().max(200)).optional(),
  // Checked against the windows configured when the rule comes, not when this module loads.
  window: z.string().superRefine((w, ctx) => {
    if (!isWindowId(w)) {
      ctx.addIssue({
        code: 'custom',
        message: `must be one of the configured windows: ${WINDOW_SPECS.map((s) => s.id).join(', ')}`,
      });
    }
  }),
  stat: z
    .string()
    .refine(
      (s) => parseRuleStat(s) !== undefined,
      'must be count, sum, min, max, avg, rate, p50, p95, p99 or a quantile q<level> with 0 ≤ level ≤ 1 (e.g. q0.999)',
    ),
  op: z.enum(['>', '>=', '<', '<=']),
  threshold: z.number().refine(Number.isFinite, 'must be a finite number'),
  for: duration.optional(),
  on: z.enum(['final', 'update']).optional(),
  noData: z.strictObject({ after: duration, fire: z.boolean() }).optional(),
  labels: labelMap.optional(),
  annotations: labelMap.optional(),
  receivers: z.array(webhook).min(1).max(20),
  repeatInterval: duration.optional(),
});

export type RuleCheck = { ok: true; spec: AlertRuleSpec } | { ok: false; problems: ErrorProblem[] };

/** Checks a rule; `index` places the problems of one rule of a file or batch. */
export function checkRuleSpec(raw: unknown, index?: number): RuleCheck {
  const r = alertRuleSpecSchema.safeParse(raw);
  if (r.success) return { ok: true, spec: r.data as AlertRuleSpec };
  return {
    ok: false,
    problems: zodProblems(r.error, index),
  };
}
