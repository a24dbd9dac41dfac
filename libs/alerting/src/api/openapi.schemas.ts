import { z } from 'zod';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { alertRuleSpecSchema } from '../alert-rule.schema';

/**
 * Request bodies for the OpenAPI document, derived from the schemas that validate them so the
 * two cannot drift. Checks zod cannot express (a stat's grammar, a duration) stay in the prose.
 */
function openApi(schema: z.ZodType): SchemaObject {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, { unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  return rest as SchemaObject;
}

export const ALERT_RULE_SPEC_SCHEMA = openApi(alertRuleSpecSchema);

export const SILENCE_SPEC_SCHEMA: SchemaObject = {
  type: 'object',
  required: ['matchers', 'endsAt'],
  additionalProperties: false,
  properties: {
    matchers: {
      type: 'array',
      minItems: 1,
      items: {
        type: 'object',
        required: ['name', 'value'],
        additionalProperties: false,
        properties: { name: { type: 'string' }, value: { type: 'string' }, isRegex: { type: 'boolean' } },
      },
    },
    startsAt: {
      description: 'ISO-8601 or epoch ms; default now',
      oneOf: [{ type: 'string' }, { type: 'number' }],
    },
    endsAt: {
      description: 'ISO-8601 or epoch ms, in the future',
      oneOf: [{ type: 'string' }, { type: 'number' }],
    },
    comment: { type: 'string' },
    createdBy: { type: 'string', description: "default: the API key's name" },
  },
};
