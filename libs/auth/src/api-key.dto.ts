import { HttpException, HttpStatus, type PipeTransform } from '@nestjs/common';
import { errorBody } from '@streammetrics/contracts';
import { z } from 'zod';
import { API_KEY_SCOPES } from './api-key.format';

const NAME = /^[A-Za-z0-9._-]{1,200}$/;

/** POST /api/v1/keys */
export const createKeySchema = z.object({
  name: z.string().min(1).max(200),
  clientId: z.string().regex(NAME, 'clientId must match ' + NAME.source),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1),
  ratePerSecond: z.number().int().min(1).max(100_000_000).nullable().optional(),
  /** serviceIds the key may write and read; absent or null = every service. */
  services: z
    .array(z.string().regex(NAME, 'a service must match ' + NAME.source))
    .min(1)
    .nullable()
    .optional(),
  /** ISO-8601 end of life; absent = never expires. */
  expiresAt: z.iso
    .datetime({ offset: true })
    .transform((s) => new Date(s))
    .refine((d) => d.getTime() > Date.now(), 'expiresAt must be in the future')
    .optional(),
});

/** POST /api/v1/keys/:id/rotate */
export const rotateKeySchema = z.object({
  /** How long the old key keeps working beside the new one; 0 (default) revokes it at once. */
  graceSeconds: z
    .number()
    .int()
    .min(0)
    .max(30 * 86_400)
    .default(0),
});

export const listKeysSchema = z.object({ all: z.enum(['true', 'false']).default('false') });

/** Validates a body or query against a zod schema; 400 with every problem otherwise. */
export class ZodBodyPipe<S extends z.ZodType> implements PipeTransform<unknown, z.output<S>> {
  constructor(private readonly schema: S) {}

  transform(value: unknown): z.output<S> {
    const parsed = this.schema.safeParse(value ?? {});
    if (parsed.success) return parsed.data;
    throw new HttpException(
      errorBody(
        'VALIDATION_FAILED',
        'invalid request',
        parsed.error.issues.map((i) => ({ field: i.path.join('.') || '(body)', message: i.message })),
      ),
      HttpStatus.BAD_REQUEST,
    );
  }
}
