import { validateMetricEvent, type MetricEvent, type ValidationProblem } from '@streammetrics/contracts';

/** Who sent a request and when: the inputs of enrichment (docs/CONTRACTS.md "The event"). */
export interface IngestContext {
  clientId: string;
  datacenter: string;
  /** Wall-clock time of arrival, epoch ms (an input, so tests set it). */
  now: number;
  newId: () => string;
}

export type MapResult = { ok: true; events: MetricEvent[] } | { ok: false; problems: ValidationProblem[] };

const METRIC_STREAM_FIELDS = new Set(['timestamp', 'name', 'value', 'tags', 'unit']);
/** MetricStream field names for the event fields they map onto, so problems name what the client sent. */
const METRIC_STREAM_FIELD_OF: Record<string, string> = {
  '/metricName': '/name',
  '/serviceId': '/tags/service',
};

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * Server-side metadata; it overrides what a client put under the same names, so client_id cannot be
 * spoofed. ingestion_time is ISO-8601 as in the seed's Kafka message format.
 */
function serverMetadata(ctx: IngestContext): Record<string, string> {
  return {
    ingestion_time: new Date(ctx.now).toISOString(),
    client_id: ctx.clientId,
    datacenter: ctx.datacenter,
  };
}

/** `server` is made once per request and shared by the events that bring no metadata of their own. */
function enrichMetadata(metadata: unknown, server: Record<string, string>): unknown {
  if (metadata === undefined) return server;
  if (!isObject(metadata)) return metadata; // the schema reports it
  return { ...metadata, ...server };
}

function finish(events: MetricEvent[], problems: ValidationProblem[]): MapResult {
  return problems.length > 0 ? { ok: false, problems } : { ok: true, events };
}

/**
 * `POST /api/v1/events`: one event or an array. eventId is generated where absent, metadata enriched,
 * then every item is validated with the compiled schema from libs/contracts; all problems of all
 * items are collected so one answer tells the client everything to fix.
 */
export function mapEventsBody(body: unknown, ctx: IngestContext): MapResult {
  const items = Array.isArray(body) ? body : [body];
  if (items.length === 0)
    return finish([], [{ index: 0, field: '', message: 'must contain at least one event' }]);
  const events: MetricEvent[] = [];
  const problems: ValidationProblem[] = [];
  const server = serverMetadata(ctx);
  items.forEach((item, index) => {
    if (!isObject(item)) {
      problems.push({ index, field: '', message: 'must be an object' });
      return;
    }
    // The parsed body is ours: completing each item in place spares a copy of every event.
    item.eventId ??= ctx.newId();
    item.metadata = enrichMetadata(item.metadata, server);
    const r = validateMetricEvent(item, index);
    if (r.ok) events.push(r.event);
    else problems.push(...r.problems);
  });
  return finish(events, problems);
}

/**
 * `POST /metrics`: `{"metrics":[{timestamp,name,value,tags}]}`, a bare array of such items, or one
 * minimal `{"name","value"}`. timestamp: ISO-8601 or epoch ms, default now. serviceId: tags.service,
 * else the API key's client id.
 */
export function mapMetricStreamBody(body: unknown, ctx: IngestContext): MapResult {
  let items: unknown[];
  if (isObject(body) && 'metrics' in body) {
    const extra = Object.keys(body).filter((k) => k !== 'metrics');
    if (!Array.isArray(body.metrics) || extra.length > 0) {
      return finish(
        [],
        [
          ...(Array.isArray(body.metrics)
            ? []
            : [{ index: 0, field: '/metrics', message: 'must be an array' }]),
          ...extra.map((k) => ({ index: 0, field: `/${k}`, message: 'unknown field next to "metrics"' })),
        ],
      );
    }
    items = body.metrics;
  } else {
    items = Array.isArray(body) ? body : [body];
  }
  if (items.length === 0)
    return finish([], [{ index: 0, field: '/metrics', message: 'must contain at least one metric' }]);
  const events: MetricEvent[] = [];
  const problems: ValidationProblem[] = [];
  const metadata = serverMetadata(ctx);
  items.forEach((item, index) => {
    if (!isObject(item)) {
      problems.push({ index, field: '', message: 'must be an object' });
      return;
    }
    for (const k of Object.keys(item)) {
      if (!METRIC_STREAM_FIELDS.has(k)) {
        problems.push({
          index,
          field: `/${k}`,
          message: 'unknown field (expected timestamp, name, value, tags, unit)',
        });
      }
    }
    const tags = item.tags;
    const service = isObject(tags) && typeof tags.service === 'string' ? tags.service : ctx.clientId;
    const r = validateMetricEvent(
      {
        eventId: ctx.newId(),
        timestamp: item.timestamp ?? ctx.now,
        serviceId: service,
        metricName: item.name,
        value: item.value,
        ...(tags !== undefined ? { tags } : {}),
        ...(item.unit !== undefined ? { unit: item.unit } : {}),
        metadata,
      },
      index,
    );
    if (r.ok) events.push(r.event);
    else
      problems.push(...r.problems.map((p) => ({ ...p, field: METRIC_STREAM_FIELD_OF[p.field] ?? p.field })));
  });
  return finish(events, problems);
}
