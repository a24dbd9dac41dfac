import { z } from 'zod';
import { DEFAULT_WINDOWS, parseWindows, WindowConfigError } from '@streammetrics/contracts';

/** Reusable field validators, so every app reads the same variable the same way. */

const HOST_PORT = /^[A-Za-z0-9.-]+:\d{1,5}$/;

export const brokers = () =>
  z
    .string()
    .transform((s) => s.split(',').map((b) => b.trim()))
    .refine((list) => list.length > 0 && list.every((b) => HOST_PORT.test(b)), {
      message: 'must be a comma-separated list of host:port',
    });

export const url = (protocols: string[]) =>
  z.string().refine(
    (s) => {
      try {
        return protocols.includes(new URL(s).protocol.replace(/:$/, ''));
      } catch {
        return false;
      }
    },
    { message: `must be a URL with scheme ${protocols.join(' or ')}` },
  );

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const bool = () =>
  z.enum(['true', 'false', '1', '0', 'yes', 'no']).transform((v) => v === 'true' || v === '1' || v === 'yes');

export const logLevel = () => z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']);

/** The window set (WINDOWS), e.g. "1m,5m,15m,1m-hop10s,1h"; every problem listed. */
export const windows = () =>
  z
    .string()
    .default(DEFAULT_WINDOWS)
    .transform((s, ctx) => {
      try {
        return parseWindows(s);
      } catch (err) {
        const problems = err instanceof WindowConfigError ? err.problems : [String(err)];
        for (const message of problems) ctx.addIssue({ code: 'custom', message });
        return z.NEVER;
      }
    });

/** TOPIC_PREFIX: namespaces every topic (tests and benchmarks isolate themselves with one). */
export const topicPrefix = () =>
  z
    .string()
    .regex(/^[A-Za-z0-9._-]*$/, 'may hold only letters, digits, . _ -')
    .default('');
