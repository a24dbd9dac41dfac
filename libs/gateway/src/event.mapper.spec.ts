import { mapEventsBody, mapMetricStreamBody, type IngestContext } from './event.mapper';

const NOW = Date.UTC(2026, 0, 2, 3, 4, 5, 678);
let n = 0;
const ctx: IngestContext = { clientId: 'acme', datacenter: 'eu-1', now: NOW, newId: () => `id-${++n}` };
const META = { ingestion_time: '2026-01-02T03:04:05.678Z', client_id: 'acme', datacenter: 'eu-1' };

beforeEach(() => (n = 0));

describe('mapEventsBody', () => {
  it('accepts one event, generates the id, normalises the timestamp and enriches metadata', () => {
    const r = mapEventsBody(
      {
        timestamp: '2024-02-07T01:00:00Z',
        serviceId: 'pay',
        metricName: 'm',
        value: 1,
        metadata: { traceId: 't', client_id: 'spoof' },
      },
      ctx,
    );
    expect(r).toEqual({
      ok: true,
      events: [
        {
          eventId: 'id-1',
          timestamp: 1707267600000,
          serviceId: 'pay',
          metricName: 'm',
          value: 1,
          tags: {},
          metadata: { traceId: 't', ...META },
        },
      ],
    });
  });

  it('keeps a client eventId and accepts arrays', () => {
    const r = mapEventsBody(
      [{ eventId: 'e1', timestamp: 1, serviceId: 's', metricName: 'm', value: 2 }],
      ctx,
    );
    expect(r.ok && r.events.map((e) => e.eventId)).toEqual(['e1']);
  });

  it('lists every problem of every item, with index and field', () => {
    const r = mapEventsBody(
      [
        { timestamp: 1, serviceId: 's', metricName: 'm', value: 1 },
        { timestamp: 1, serviceId: 'bad id', value: 'x', extra: true },
        42,
      ],
      ctx,
    );
    expect(r.ok).toBe(false);
    const problems = !r.ok ? r.problems : [];
    expect(problems).toEqual(
      expect.arrayContaining([
        { index: 1, field: '/metricName', message: "must have required property 'metricName'" },
        { index: 1, field: '/extra', message: 'must NOT have additional properties' },
        expect.objectContaining({ index: 1, field: '/serviceId' }),
        expect.objectContaining({ index: 1, field: '/value' }),
        { index: 2, field: '', message: 'must be an object' },
      ]),
    );
    expect(problems.some((p) => p.index === 0)).toBe(false);
  });

  it('refuses an empty batch and out-of-range values', () => {
    expect(mapEventsBody([], ctx).ok).toBe(false);
    const r = mapEventsBody({ timestamp: 1, serviceId: 's', metricName: 'm', value: 2e15 }, ctx);
    expect(!r.ok && r.problems[0]).toMatchObject({ index: 0, field: '/value' });
  });
});

describe('mapMetricStreamBody', () => {
  it('maps the seed example: ISO timestamp, tags.service as serviceId', () => {
    const r = mapMetricStreamBody(
      {
        metrics: [
          {
            timestamp: '2025-10-12T15:30:00Z',
            name: 'app.cpu.usage',
            value: 75.5,
            tags: { host: 'web-01', service: 'api' },
          },
        ],
      },
      ctx,
    );
    expect(r).toEqual({
      ok: true,
      events: [
        {
          eventId: 'id-1',
          timestamp: Date.parse('2025-10-12T15:30:00Z'),
          serviceId: 'api',
          metricName: 'app.cpu.usage',
          value: 75.5,
          tags: { host: 'web-01', service: 'api' },
          metadata: META,
        },
      ],
    });
  });

  it('maps the minimal form: timestamp now, serviceId from the key client', () => {
    const r = mapMetricStreamBody({ name: 'x', value: 3 }, ctx);
    expect(r.ok && r.events[0]).toMatchObject({
      timestamp: NOW,
      serviceId: 'acme',
      metricName: 'x',
      value: 3,
      tags: {},
    });
  });

  it('accepts epoch-ms timestamps', () => {
    const r = mapMetricStreamBody({ metrics: [{ timestamp: 1707267600000, name: 'x', value: 1 }] }, ctx);
    expect(r.ok && r.events[0]!.timestamp).toBe(1707267600000);
  });

  it('names problems by the MetricStream fields the client sent', () => {
    const r = mapMetricStreamBody(
      {
        metrics: [
          { name: 'ok', value: 1 },
          { name: 'bad name', value: 'high', tags: { service: 'a b' }, colour: 'red' },
          { value: 1, timestamp: 'yesterday' },
        ],
      },
      ctx,
    );
    expect(!r.ok && r.problems).toEqual(
      expect.arrayContaining([
        {
          index: 1,
          field: '/colour',
          message: 'unknown field (expected timestamp, name, value, tags, unit)',
        },
        expect.objectContaining({ index: 1, field: '/name' }),
        expect.objectContaining({ index: 1, field: '/value', message: 'must be number' }),
        expect.objectContaining({ index: 1, field: '/tags/service' }),
        expect.objectContaining({
          index: 2,
          field: '/name',
          message: "must have required property 'metricName'",
        }),
        expect.objectContaining({ index: 2, field: '/timestamp' }),
      ]),
    );
  });

  it('checks the envelope', () => {
    expect(mapMetricStreamBody({ metrics: {} }, ctx)).toEqual({
      ok: false,
      problems: [{ index: 0, field: '/metrics', message: 'must be an array' }],
    });
    expect(mapMetricStreamBody({ metrics: [] }, ctx).ok).toBe(false);
  });
});
