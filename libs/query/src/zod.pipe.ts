import { Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { parseQuery } from './query.dto';

/** Parsed parameter sets kept per route: a dashboard asks the same few over and over. */
const MEMO_ENTRIES = 1000;

/**
 * Validates a handler argument (query string or route params) against a zod schema; 400 otherwise.
 * A parse is a pure function of the raw parameters (times are only parsed, never read from the
 * clock; the configured windows do not change after start-up), so valid parameter sets are parsed
 * once and the frozen result handed out again. Invalid ones are parsed every time (never kept).
 */
@Injectable()
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  private readonly parsed = new Map<string, z.output<S>>();

  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const key = JSON.stringify(value ?? {});
    const hit = this.parsed.get(key);
    if (hit !== undefined) return hit;
    const out = deepFreeze(parseQuery(this.schema, value));
    this.parsed.set(key, out);
    if (this.parsed.size > MEMO_ENTRIES) this.parsed.delete(this.parsed.keys().next().value as string);
    return out;
  }
}

/** Shared between requests: nobody may change it. */
function deepFreeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) deepFreeze(x);
  }
  return v;
}
