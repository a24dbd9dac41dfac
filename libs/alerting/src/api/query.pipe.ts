import { Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { parseQuery } from '@streammetrics/query';

/** Validates a query string against a zod schema: a 400 listing every problem otherwise. */
@Injectable()
export class QueryPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    return parseQuery(this.schema, value);
  }
}
