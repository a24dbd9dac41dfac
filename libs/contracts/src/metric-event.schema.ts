import type { FromSchema } from 'json-schema-to-ts';

/**
 * The metric event, version 1. This schema is the single source of truth (docs/CONTRACTS.md):
 * the gateway and the processor validate with its compiled form, the TypeScript type below is
 * derived from it, and it is what a schema registry would hold.
 */
export const METRIC_EVENT_SCHEMA_ID = 'https://streammetrics.dev/schemas/metric-event/v1.json';

const NAME_PATTERN = '^[A-Za-z0-9._-]{1,200}$';

export const metricEventSchema = {
  $id: METRIC_EVENT_SCHEMA_ID,
  title: 'MetricEvent',
  type: 'object',
  additionalProperties: false,
  required: ['eventId', 'timestamp', 'serviceId', 'metricName', 'value'],
  properties: {
    eventId: { type: 'string', minLength: 1, maxLength: 128 },
    timestamp: {
      // Epoch milliseconds, or an ISO-8601 string that the decoder turns into epoch milliseconds.
      anyOf: [
        { type: 'integer', minimum: 0, maximum: 253402300799999 },
        { type: 'string', format: 'date-time' },
      ],
    },
    serviceId: { type: 'string', pattern: NAME_PATTERN },
    instanceId: { type: 'string', maxLength: 256 },
    metricType: { type: 'string', maxLength: 64 },
    metricName: { type: 'string', pattern: NAME_PATTERN },
    value: { type: 'number', minimum: -1e15, maximum: 1e15 },
    unit: { type: 'string', maxLength: 64 },
    tags: {
      type: 'object',
      maxProperties: 32,
      propertyNames: { maxLength: 256, minLength: 1 },
      additionalProperties: { type: 'string', maxLength: 256 },
    },
    metadata: {
      type: 'object',
      maxProperties: 64,
      additionalProperties: { type: ['string', 'number', 'boolean'] },
    },
  },
} as const;

/** The event as it arrives on the wire (timestamp may still be an ISO string). */
export type MetricEventInput = FromSchema<typeof metricEventSchema>;

/** The event after decoding: timestamp normalised to epoch milliseconds, tags always present. */
export type MetricEvent = Omit<MetricEventInput, 'timestamp' | 'tags'> & {
  timestamp: number;
  tags: Record<string, string>;
};
