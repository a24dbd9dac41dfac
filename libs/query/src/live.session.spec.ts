import type { HotUpdate } from '@streammetrics/contracts';
import { LiveSession, MAX_PENDING_SERIES, type DeliveryStats } from './live.session';
import { FakeSocket, update } from './testing/live.fixtures';

const starts = (s: FakeSocket) =>
  s.sent.map((m) => (JSON.parse(m) as { update: HotUpdate }).update.record.window.start);

describe('LiveSession', () => {
  const stats = (): DeliveryStats => ({ sent: 0, coalesced: 0, dropped: 0 });

  it('sends straight away while the socket drains', () => {
    const socket = new FakeSocket();
    const s = new LiveSession('id', 'token', 'key-id', null, 1000, stats());
    s.attach(socket);
    s.deliver(update('a', 1), ['x']);
    s.deliver(update('a', 2), ['x']);
    expect(starts(socket)).toEqual([1, 2]);
  });

  it('keeps only the latest update per series while the socket is backed up, in series order', () => {
    const socket = new FakeSocket();
    const st = stats();
    const s = new LiveSession('id', 'token', 'key-id', null, 1000, st);
    s.attach(socket);
    socket.bufferedAmount = 5000;
    for (let i = 1; i <= 10; i++) {
      s.deliver(update('a', i), ['x']);
      s.deliver(update('b', 100 + i), ['x']);
    }
    expect(socket.sent).toHaveLength(0);
    expect(s.pendingCount).toBe(2);
    expect(st.coalesced).toBe(18);
    socket.bufferedAmount = 0;
    s.flush();
    expect(starts(socket)).toEqual([10, 110]);
    expect(socket.sent.map((m) => (JSON.parse(m) as { coalesced: number }).coalesced)).toEqual([9, 9]);
  });

  it('holds updates while detached and bounds the number of waiting series', () => {
    const st = stats();
    const s = new LiveSession('id', 'token', 'key-id', null, 1000, st);
    for (let i = 0; i < MAX_PENDING_SERIES + 10; i++) s.deliver(update(String(i), i), ['x']);
    expect(s.pendingCount).toBe(MAX_PENDING_SERIES);
    expect(st.dropped).toBe(10);
    const socket = new FakeSocket();
    s.attach(socket);
    s.flush();
    expect(starts(socket)[0]).toBe(10);
  });
});
