import { tagsKey } from '@streammetrics/contracts';
import type { ApiKeyIdentity } from '@streammetrics/auth';
import { LiveSessions } from './live.sessions';
import { FakeSocket, update } from './testing/live.fixtures';

const key = (id: string): ApiKeyIdentity => ({
  id,
  name: id,
  clientId: id,
  scopes: ['read'],
  ratePerSecond: null,
  services: null,
});
const types = (s: FakeSocket) => s.sent.map((m) => (JSON.parse(m) as { type: string }).type);
const updatesTo = (s: FakeSocket) =>
  s.sent
    .map((m) => JSON.parse(m) as { type: string; subscriptions?: string[] })
    .filter((m) => m.type === 'update')
    .map((m) => m.subscriptions);

describe('LiveSessions', () => {
  it('delivers an update only to the subscriptions it matches, once per session', () => {
    const table = new LiveSessions(1 << 20);
    const a = new FakeSocket();
    const b = new FakeSocket();
    const sa = table.open(a, key('k1'), undefined);
    const sb = table.open(b, key('k2'), undefined);
    table.subscribe(sa, { id: 'all', service: 'svc' });
    table.subscribe(sa, {
      id: 'series',
      service: 'svc',
      metric: 'm',
      tags: { series: 'x' },
      tagsKey: tagsKey({ series: 'x' }),
    });
    table.subscribe(sa, { id: 'other-window', service: 'svc', window: '5m' });
    table.subscribe(sb, {
      id: 'other',
      service: 'svc',
      metric: 'm',
      tags: { series: 'y' },
      tagsKey: tagsKey({ series: 'y' }),
    });

    table.publish(update('x', 0));
    table.publish(update('x', 0, 'elsewhere'));

    expect(updatesTo(a)).toEqual([['all', 'series']]);
    expect(updatesTo(b)).toEqual([]);
    expect(table.stats.sent).toBe(1);
  });

  it('gives a resumed session back to the same key only, and forgets unsubscribed services', () => {
    const table = new LiveSessions(1 << 20);
    const first = new FakeSocket();
    const s = table.open(first, key('k1'), undefined);
    table.subscribe(s, { id: 'a', service: 'svc' });
    s.detach(first, 0);

    const stranger = table.open(new FakeSocket(), key('k2'), s.resumeToken);
    expect(stranger).not.toBe(s);
    const again = new FakeSocket();
    expect(table.open(again, key('k1'), s.resumeToken)).toBe(s);
    expect(types(again)[0]).toBe('welcome');

    table.unsubscribe(s, 'a');
    table.publish(update('x', 0));
    expect(updatesTo(again)).toEqual([]);
  });

  it('drops sessions detached past the resume TTL and ends every session of a revoked key', () => {
    const table = new LiveSessions(1 << 20);
    const gone = new FakeSocket();
    const detached = table.open(gone, key('k1'), undefined);
    detached.detach(gone, 1_000);
    const live = new FakeSocket();
    table.open(live, key('k2'), undefined);
    table.open(new FakeSocket(), key('k2'), undefined);

    table.tick(1_500, 1_000);
    expect(table.size).toBe(3);
    table.tick(2_001, 1_000);
    expect(table.size).toBe(2);
    expect([...table.keyIds()]).toEqual(['k2']);

    table.endKey('k2', 4401, 'UNAUTHORIZED');
    expect(table.size).toBe(0);
    expect(live.readyState).toBe(3);
  });
});
