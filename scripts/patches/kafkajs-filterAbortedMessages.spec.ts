// The installed (patched, see apply-patches.js) filter against the case stock kafkajs 2.2.4 gets wrong (it returns offsets 0 and 6
// here): aborted transactions of two producers that overlap, listed out of offset order.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const filter = require('kafkajs/src/consumer/filterAbortedMessages') as (a: {
  messages: Msg[];
  abortedTransactions: { producerId: string; firstOffset: string }[];
}) => Msg[];

interface Msg {
  offset: string;
  key: Buffer | null;
  isControlRecord: boolean;
  batchContext: { producerId: string; inTransaction: boolean };
}

const msg = (offset: number, pid: number, abortMarker = false, inTransaction = true): Msg => ({
  offset: String(offset),
  key: abortMarker ? Buffer.from([0, 0, 0, 0]) : null,
  isControlRecord: abortMarker,
  batchContext: { producerId: String(pid), inTransaction },
});

const offsets = (ms: Msg[]) => ms.filter((m) => !m.isControlRecord).map((m) => m.offset);

describe('patched kafkajs filterAbortedMessages', () => {
  it('drops every record of overlapping aborted transactions, whatever the list order', () => {
    const messages = [
      msg(0, 1),
      msg(1, 2),
      msg(2, 1),
      msg(3, 2),
      msg(4, 1, true),
      msg(5, 2, true),
      msg(6, 3),
    ];
    const aborted = [
      { producerId: '2', firstOffset: '1' },
      { producerId: '1', firstOffset: '0' },
    ];
    expect(offsets(filter({ messages, abortedTransactions: aborted }))).toEqual(['6']);
  });

  it('keeps a producer’s records after its abort marker and non-transactional records', () => {
    const messages = [msg(0, 1), msg(1, 1, true), msg(2, 1), msg(3, 4, false, false)];
    expect(
      offsets(filter({ messages, abortedTransactions: [{ producerId: '1', firstOffset: '0' }] })),
    ).toEqual(['2', '3']);
  });

  it('treats a user record whose key looks like an abort marker as data', () => {
    const fake = { ...msg(1, 1), key: Buffer.from([0, 0, 0, 0]) };
    const messages = [msg(0, 1), fake, msg(2, 1, true), msg(3, 1)];
    expect(
      offsets(filter({ messages, abortedTransactions: [{ producerId: '1', firstOffset: '0' }] })),
    ).toEqual(['3']);
  });
});
