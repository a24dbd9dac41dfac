import { z } from 'zod';
import { zodProblems } from '../zod.problems';
import type { ErrorProblem } from '@streammetrics/contracts';
import type { NewSilence } from '../silences.repository';

/** Epoch milliseconds (a number or a string of digits) or an ISO-8601 timestamp, as epoch ms. */
const instant = z.union([z.number(), z.string()]).transform((v, ctx) => {
  const s = String(v).trim();
  const n = /^\d+$/.test(s) ? Number(s) : Date.parse(s);
  if (!Number.isFinite(n) || n < 0 || n > 8.64e15) {
    ctx.addIssue({ code: 'custom', message: 'must be epoch milliseconds or an ISO-8601 timestamp' });
    return z.NEVER;
  }
  return n;
});

function compiles(pattern: string): boolean {
  try {
    new RegExp(`^(?:${pattern})$`);
    return true;
  } catch {
    return false;
  }
}

const matcher = z
  .strictObject({
    name: z.string().min(1, 'a matcher needs a label name').max(200),
    value: z.string().max(1000),
    isRegex: z.boolean().optional(),
  })
  .superRefine((m, ctx) => {
    if (m.isRegex && !compiles(m.value))
      ctx.addIssue({ code: 'custom', path: ['value'], message: 'is not a valid regular expression' });
  });

const times = { startsAt: instant.optional(), endsAt: instant };

const silenceSpecSchema = z.strictObject({
  matchers: z.array(matcher).min(1, 'at least one matcher').max(50),
  ...times,
  comment: z.string().max(2000).optional(),
  createdBy: z.string().max(200).optional(),
});

/** The times alone, so a range that is empty or over is reported beside a bad matcher too. */
const timesSchema = z.object(times);

export type SilenceCheck = { ok: true; silence: NewSilence } | { ok: false; problems: ErrorProblem[] };

/**
 * Checks a SilenceSpec against the wall clock `now`: every problem is reported, including a range
 * that is empty or already over. `createdBy` is used when the body names no author.
 */
export function checkSilenceSpec(raw: unknown, now: number, createdBy: string): SilenceCheck {
  const r = silenceSpecSchema.safeParse(raw);
  const problems: ErrorProblem[] = r.success ? [] : zodProblems(r.error);
  const t = timesSchema.safeParse(raw);
  if (t.success) {
    const startsAt = t.data.startsAt ?? now;
    if (t.data.endsAt <= startsAt) problems.push({ field: '/endsAt', message: 'must be after startsAt' });
    else if (t.data.endsAt <= now) problems.push({ field: '/endsAt', message: 'must be in the future' });
  }
  if (!r.success || problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    silence: {
      matchers: r.data.matchers.map((m) => ({ name: m.name, value: m.value, isRegex: m.isRegex ?? false })),
      startsAt: new Date(r.data.startsAt ?? now),
      endsAt: new Date(r.data.endsAt),
      comment: r.data.comment ?? '',
      createdBy: r.data.createdBy || createdBy,
    },
  };
}
