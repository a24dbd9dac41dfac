/**
 * An Avro schema for the metric event, the way a Java team using Confluent's Avro serializer
 * would write one: optional fields are unions with null (read as absent), the timestamp is epoch
 * milliseconds. The processor reads any Avro writer schema whose records carry the event's fields
 * under the event's names; this one is the documented example, and what the tests and the
 * benchmark register.
 */
export const metricEventAvroSchema = {
  type: 'record',
  name: 'MetricEvent',
  namespace: 'dev.streammetrics',
  fields: [
    { name: 'eventId', type: 'string' },
    { name: 'timestamp', type: { type: 'long', logicalType: 'timestamp-millis' } },
    { name: 'serviceId', type: 'string' },
    { name: 'instanceId', type: ['null', 'string'], default: null },
    { name: 'metricType', type: ['null', 'string'], default: null },
    { name: 'metricName', type: 'string' },
    { name: 'value', type: 'double' },
    { name: 'unit', type: ['null', 'string'], default: null },
    { name: 'tags', type: { type: 'map', values: 'string' }, default: {} },
    { name: 'metadata', type: ['null', { type: 'map', values: 'string' }], default: null },
  ],
} as const;
