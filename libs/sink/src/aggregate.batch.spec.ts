import type { KafkaMessage } from 'kafkajs';
import { decodeBatch, newestPerWindow } from './aggregate.batch';
import { makeAggregate } from './testing/aggregate.fixture';

const T0 = Date.UTC(2026, 0, 5, 10, 0);
const msg = (value: unknown, offset: number): KafkaMessage => ({
  key: null,
  value: Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)),
  offset: String(offset),
  timestamp: '0',
  attributes: 0,
  headers: {},
});

describe('decodeBatch', () => {
  it('canonicalises tags and names the window, and sets aside what it cannot decode', () => {
    const good = makeAggregate({
      serviceId: 's',
      tags: { b: '2', a: '1' },
      window: '1m-hop10s',
      start: T0,
      values: [1],
    });
    const badDigest = { ...makeAggregate({ serviceId: 's', start: T0, values: [1] }), digest: 'AAAA' };
    const farFuture = { ...makeAggregate({ serviceId: 's', start: T0, values: [1] }), emittedAt: 1e20 };
    const out = decodeBatch('t', 2, [msg(good, 0), msg('{', 1), msg(badDigest, 2), msg(farFuture, 3)], {
      verifyDigest: true,
    });
    expect(out.records).toHaveLength(1);
    expect(Object.keys(out.records[0]?.record.tags ?? {})).toEqual(['a', 'b']);
    expect(out.records[0]?.windowId).toBe('1m-hop10s');
    expect(out.undecodable.map((u) => u.source.message.offset)).toEqual(['1', '2', '3']);
    expect(out.undecodable[2]?.error).toMatch(/emittedAt/);
  });

  it('does not decode digests unless asked (the Redis group stores them as they are)', () => {
    const badDigest = { ...makeAggregate({ serviceId: 's', start: T0, values: [1] }), digest: 'AAAA' };
    expect(decodeBatch('t', 0, [msg(badDigest, 0)], { verifyDigest: false }).records).toHaveLength(1);
  });
});

describe('newestPerWindow', () => {
  it('keeps one version per window: final over updates, then newer stream time, later offset on a tie', () => {
    const base = { serviceId: 's', start: T0, values: [1, 2] };
    const u1 = makeAggregate({ ...base, final: false, streamTime: T0 + 10 });
    const u2 = makeAggregate({ ...base, final: false, streamTime: T0 + 20 });
    const fin = makeAggregate({ ...base, final: true, streamTime: T0 + 15 });
    const other = makeAggregate({ ...base, start: T0 + 60_000, final: false, streamTime: T0 + 70_000 });
    const { records } = decodeBatch('t', 0, [u2, fin, u1, other, fin].map(msg), { verifyDigest: false });
    const kept = newestPerWindow(records);
    expect(kept.map((r) => [r.record.window.start, r.record.final, r.source.message.offset])).toEqual([
      [T0, true, '4'],
      [T0 + 60_000, false, '3'],
    ]);
  });
});
