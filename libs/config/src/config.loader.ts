import { z } from 'zod';
import { displayValue } from './secret.values';

/** Thrown at start-up when the environment is wrong; lists every bad variable, not just the first. */
export class ConfigError extends Error {
  readonly retriable = false;
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type Env = Record<string, string | undefined>;

/**
 * Validates the environment against a schema whose keys ARE the variable names, once, at boot
 * (nothing else reads process.env). Empty strings count as unset so `FOO=` falls back to the default.
 */
export function loadConfig<S extends z.ZodRawShape>(
  shape: S,
  env: Env = process.env,
  /** Rules across variables, run once every variable is valid; each returns its problems. */
  checks: ((config: z.infer<z.ZodObject<S>>) => string[])[] = [],
): z.infer<z.ZodObject<S>> {
  const input: Record<string, string> = {};
  for (const key of Object.keys(shape)) {
    const v = env[key];
    if (v !== undefined && v !== '') input[key] = v;
  }
  const parsed = z.object(shape).safeParse(input);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((i) => {
        const name = i.path.join('.') || '(environment)';
        const value = env[name];
        return `${name}: ${i.message}${value !== undefined ? ` (got ${displayValue(name, value)})` : ''}`;
      }),
    );
  }
  const problems = checks.flatMap((check) => check(parsed.data));
  if (problems.length > 0) throw new ConfigError(problems);
  return parsed.data;
}
