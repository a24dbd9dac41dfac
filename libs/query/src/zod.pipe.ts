import { Injectable, type PipeTransform } from '@nestjs/common';
import type { z } from 'zod';
import { parseQuery } from './query.dto';

/** Validates a handler argument (query string or route params) against a zod schema; 400 otherwise. */
@Injectable()
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    return parseQuery(this.schema, value);
  }
}
