import { ProbeLedger } from './probe.ledger';

const W = 1_800_000_000_000 - (1_800_000_000_000 % 60_000);

describe('ProbeLedger', () => {
  it('gives each probe the first arrival of a record whose count includes it', () => {
    const l = new ProbeLedger(10);
    const probes = [1, 2, 3].map((i) => l.add(W + i * 100, true));
    for (const p of probes) p.ackAt = p.sentAt + 5;
    l.observe('kafka', W, 10, W + 1_000, W + 990);
    l.observe('kafka', W, 25, W + 2_000); // probe 3 only half counted: not yet included
    l.observe('kafka', W, 30, W + 3_000);
    l.observe('kafka', W, 30, W + 4_000); // a later copy does not move the first arrival
    expect(probes.map((p) => p.seen.kafka)).toEqual([W + 1_000, W + 2_000, W + 3_000]);
    expect(probes.map((p) => p.seen.ws)).toEqual([undefined, undefined, undefined]);
    expect(probes[0]?.emittedAt).toBe(W + 990);
  });

  it('ranks probes per 1m window and ignores records of other windows', () => {
    const l = new ProbeLedger(1);
    const a = l.add(W + 59_900, true);
    const b = l.add(W + 60_100, true);
    expect([a.k, b.k]).toEqual([1, 1]);
    l.observe('ws', W + 60_000, 1, 7);
    l.observe('ws', W - 60_000, 5, 8);
    expect([a.seen.ws, b.seen.ws]).toEqual([undefined, 7]);
  });

  it('leaves out the probes of a window after a failed one, and the warm-up and unacknowledged ones', () => {
    const l = new ProbeLedger(1);
    const warm = l.add(W + 1, false);
    const ok = l.add(W + 2, true);
    const bad = l.add(W + 3, true);
    const after = l.add(W + 4, true);
    const pending = l.add(W + 60_001, true);
    for (const p of [warm, ok, after]) p.ackAt = p.sentAt;
    l.failed(bad);
    l.observe('redis', W, 4, 9);
    expect(l.sampled()).toEqual([ok]);
    expect(l.undecidable()).toBe(2);
    expect(after.seen.redis).toBeUndefined();
    expect(pending.ackAt).toBeUndefined();
  });
});
