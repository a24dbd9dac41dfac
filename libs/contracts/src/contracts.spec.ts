import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  decodeAggregate,
  decodeMetricEvent,
  encodeAggregate,
  isStoredOrder,
  validateMetricEvent,
} from './index';
import { canonicalTags, tagsHash, tagsKey } from './tags';
import { latestKey } from './redis-keys';
import { topicSpecs } from './topics';

const fixture = (name: string): Buffer => readFileSync(join(__dirname, 'fixtures', name));

describe('metric event v1 (golden fixtures)', () => {
  it('decodes the full design example', () => {
    const r = decodeMetricEvent(fixture('event.v1.full.json'));
    expect(r.ok).toBe(true);
    if (r.ok) {
      expect(r.event.timestamp).toBe(1707267600000);
      expect(r.event.tags.region).toBe('us-east-1');
    }
  });

  it('turns an ISO-8601 timestamp into epoch ms and defaults tags to {}', () => {
    const r = decodeMetricEvent(fixture('event.v1.iso-timestamp.json'));
    expect(r).toEqual(expect.objectContaining({ ok: true }));
    if (r.ok) {
      expect(r.event.timestamp).toBe(Date.UTC(2024, 1, 7, 1));
      expect(r.event.tags).toEqual({});
    }
  });

  it('reports undecodable bytes', () => {
    const r = decodeMetricEvent(Buffer.from('{"eventId":'));
    expect(r).toMatchObject({ ok: false, reason: 'UNDECODABLE' });
  });

  it('lists every schema problem with its field', () => {
    const r = validateMetricEvent(
      { eventId: 'x', timestamp: 'yesterday', serviceId: 'bad service!', value: Infinity, extra: 1 },
      7,
    );
    expect(r.ok).toBe(false);
    if (!r.ok) {
      const fields = r.problems.map((p) => p.field);
      expect(fields).toEqual(
        expect.arrayContaining(['/timestamp', '/serviceId', '/metricName', '/value', '/extra']),
      );
      expect(r.problems.every((p) => p.index === 7)).toBe(true);
    }
  });

  it('bounds value, tag count and tag length', () => {
    const base = { eventId: 'a', timestamp: 1, serviceId: 's', metricName: 'm' };
    expect(validateMetricEvent({ ...base, value: 1e15 }).ok).toBe(true);
    expect(validateMetricEvent({ ...base, value: 1.0001e15 }).ok).toBe(false);
    const tags = Object.fromEntries(Array.from({ length: 33 }, (_, i) => [`k${i}`, 'v']));
    expect(validateMetricEvent({ ...base, value: 1, tags }).ok).toBe(false);
    expect(validateMetricEvent({ ...base, value: 1, tags: { k: 'v'.repeat(257) } }).ok).toBe(false);
    expect(validateMetricEvent({ ...base, value: 1, tags: { k: 1 } }).ok).toBe(false);
  });
});

describe('aggregate record v1', () => {
  it('decodes the golden fixture', () => {
    const a = decodeAggregate(fixture('aggregate.v1.json'));
    expect(a.window.end - a.window.start).toBe(60_000);
    expect(a.final).toBe(true);
  });

  it('rejects a record with a broken window', () => {
    const bad = JSON.parse(fixture('aggregate.v1.json').toString()) as Record<string, unknown>;
    bad.window = { type: 'tumbling', size: '2m', start: 0, end: 1 };
    expect(() => decodeAggregate(Buffer.from(JSON.stringify(bad)))).toThrow(/window/);
  });

  it('encodes in the stored field order with canonical tags, decoding to the same record', () => {
    const a = { ...decodeAggregate(fixture('aggregate.v1.json')), tags: { region: 'eu', endpoint: '/a' } };
    const text = encodeAggregate(a).toString();
    expect(isStoredOrder(text)).toBe(true);
    const decoded = JSON.parse(text) as Record<string, unknown>;
    expect(Object.keys(decoded)).toEqual([
      ...['final', 'streamTime', 'window', 'serviceId', 'metricName', 'tags'],
      ...['count', 'sum', 'min', 'max', 'avg', 'rate', 'p50', 'p95', 'p99', 'digest', 'emittedAt'],
    ]);
    expect(Object.keys(decoded.tags as object)).toEqual(['endpoint', 'region']);
    expect(decodeAggregate(Buffer.from(text))).toEqual(a);
    expect(isStoredOrder(JSON.stringify(a))).toBe(false);
  });
});

describe('tags, keys and topics', () => {
  it('canonicalises tag order', () => {
    expect(tagsKey({ b: '2', a: '1' })).toBe(tagsKey({ a: '1', b: '2' }));
    expect(Object.keys(canonicalTags({ b: '2', a: '1' }))).toEqual(['a', 'b']);
    expect(tagsHash({})).not.toBe(tagsHash({ a: '1' }));
  });

  it('hashes a tag set to the first 16 hex digits of the SHA-1 of its text, remembered or not', () => {
    const sha = (text: string) => createHash('sha1').update(text).digest('hex').slice(0, 16);
    // Past the memo's bound, so entries are computed, remembered, dropped and computed again.
    for (let round = 0; round < 2; round++) {
      for (let i = 0; i < 60_000; i += 7) {
        const tags = { host: `h${i}`, region: i % 2 ? 'eu' : 'us' };
        expect(tagsHash(tags)).toBe(sha(tagsKey(tags)));
      }
    }
    expect(tagsHash({})).toBe(sha(''));
    expect(tagsHash({ b: '2', a: '1' })).toBe(tagsHash({ a: '1', b: '2' }));
  });

  it('uses the design key for the latest rollup', () => {
    expect(latestKey('payment-service', 'api.request.duration', '1m')).toBe(
      'metrics:payment-service:api.request.duration:1m',
    );
  });

  it('has the design topic table', () => {
    const byName = Object.fromEntries(topicSpecs().map((t) => [t.topic, t]));
    expect(byName['metrics-events']?.partitions).toBe(6);
    expect(byName['metrics-aggregated-15m']?.config['retention.ms']).toBe(`${30 * 86_400_000}`);
    expect(byName['streammetrics-processors-window-store-changelog']?.config['cleanup.policy']).toBe(
      'compact',
    );
  });
});
