import { WINDOW_SPECS, type MetricEvent } from '@streammetrics/contracts';
import {
  generateStream,
  metricEvent,
  oracle,
  seededRandom,
  windowKey,
  withinRankError,
} from './event-stream.fixture';
import { PartitionWindows, type ChangelogEntry, type EmittedAggregate } from './partition.windows';
import type { WindowingOptions } from './windowing.options';

// Wall time is the event index here, so each window sends at most one update per 200 events.
const OPTS: WindowingOptions = {
  graceMs: 10_000,
  emitIntervalMs: 200,
  maxTagSetsPerMetric: 1_000,
  idleTimeoutMs: 0,
};

interface Checkpoint {
  /** Index of the last event ingested before this collect. */
  after: number;
  /** Changelog entries up to and including this collect: what the compacted topic holds. */
  changelog: number;
  finals: number;
  stats: ReturnType<PartitionWindows['stats']>;
}

interface Run {
  finals: EmittedAggregate[];
  changelog: ChangelogEntry[];
  checkpoints: Checkpoint[];
}

/** Feeds events[from..] collecting at random points, then closes every window with a far-future event. */
function run(
  pw: PartitionWindows,
  events: readonly MetricEvent[],
  from: number,
  collectSeed: number,
  prior?: Run,
): Run {
  const rnd = seededRandom(collectSeed);
  const out: Run = {
    finals: [...(prior?.finals ?? [])],
    changelog: [...(prior?.changelog ?? [])],
    checkpoints: [],
  };
  const collect = (i: number) => {
    const r = pw.collect(i);
    out.finals.push(...r.outputs.filter((o) => o.emit === 'final' && o.key !== 'flush-service'));
    out.changelog.push(...r.changelog);
    out.checkpoints.push({
      after: i,
      changelog: out.changelog.length,
      finals: out.finals.length,
      stats: pw.stats(),
    });
  };
  for (let i = from; i < events.length; i++) {
    pw.ingest(events[i] as MetricEvent, i);
    if (rnd() < 0.03) collect(i);
  }
  const last = events[events.length - 1] as MetricEvent;
  pw.ingest(metricEvent(last.timestamp + 3_600_000, 0, {}, 'flush-service'), events.length);
  collect(events.length);
  return out;
}

function restoreAt(events: readonly MetricEvent[], base: Run, cp: Checkpoint, collectSeed: number): Run {
  const pw = PartitionWindows.restore(OPTS, base.changelog.slice(0, cp.changelog));
  // The restored state is the state the crashed run had at that collect.
  expect(pw.stats()).toMatchObject({
    activeSeries: cp.stats.activeSeries,
    activeSlices: cp.stats.activeSlices,
  });
  const prior: Run = {
    finals: base.finals.slice(0, cp.finals),
    changelog: base.changelog.slice(0, cp.changelog),
    checkpoints: [],
  };
  return run(pw, events, cp.after + 1, collectSeed, prior);
}

function finalsByWindow(finals: readonly EmittedAggregate[]): Map<string, EmittedAggregate['record']> {
  const byKey = new Map<string, EmittedAggregate['record']>();
  for (const { topic, record } of finals) {
    const key = windowKey(topic, record.serviceId, record.metricName, record.tags, record.window.start);
    if (byKey.has(key)) throw new Error(`final emitted twice: ${key}`);
    byKey.set(key, record);
  }
  return byKey;
}

const exactCache = new WeakMap<readonly MetricEvent[], Map<string, number[]>>();

function expectSameFinals(
  actual: readonly EmittedAggregate[],
  reference: readonly EmittedAggregate[],
  events: readonly MetricEvent[],
) {
  let exact = exactCache.get(events);
  if (!exact) {
    exact = oracle(events, WINDOW_SPECS, OPTS.graceMs).windows;
    for (const values of exact.values()) values.sort((x, y) => x - y);
    exactCache.set(events, exact);
  }
  const a = finalsByWindow(actual);
  const b = finalsByWindow(reference);
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [key, r] of a) {
    const ref = b.get(key) as EmittedAggregate['record'];
    const pick = (x: typeof r) => `${key} ${x.count} ${x.sum} ${x.min} ${x.max} ${x.streamTime}`;
    // Plain comparison first: one jest matcher per window would dominate the run time.
    if (pick(r) !== pick(ref)) expect(pick(r)).toBe(pick(ref));
    // Restored digests went through the compact wire form, so percentiles may differ from the
    // uninterrupted run's by the digest's error, no more.
    const values = exact.get(key) as number[];
    for (const [q, p] of [
      [0.5, r.p50],
      [0.95, r.p95],
      [0.99, r.p99],
    ] as const) {
      if (!withinRankError(values, q, p, 0.02))
        throw new Error(`${key}: p${q * 100} ${p} off (n=${values.length})`);
    }
  }
}

describe('crash and restore from the changelog', () => {
  it.each([11, 12, 13])('produces the same finals, none twice, from any collect (seed %i)', (seed) => {
    const events = generateStream({ seed, events: 6_000 });
    const reference = run(new PartitionWindows(OPTS), events, 0, seed);
    const rnd = seededRandom(seed * 31);
    const cps = reference.checkpoints;
    expect(cps.length).toBeGreaterThan(20);
    const cuts = [
      cps[0],
      cps[cps.length - 2],
      ...Array.from({ length: 3 }, () => cps[Math.floor(rnd() * cps.length)]),
    ];
    for (const cp of cuts as Checkpoint[]) {
      // Collect points after the restart differ from the first run's: finals must not depend on them.
      const resumed = restoreAt(events, reference, cp, seed + 1000);
      expectSameFinals(resumed.finals, reference.finals, events);
    }
  });

  it('survives a crash of the restored instance too', () => {
    const events = generateStream({ seed: 21, events: 6_000 });
    const reference = run(new PartitionWindows(OPTS), events, 0, 21);
    const first = restoreAt(events, reference, reference.checkpoints[10] as Checkpoint, 22);
    const second = restoreAt(events, first, first.checkpoints[15] as Checkpoint, 23);
    expectSameFinals(second.finals, reference.finals, events);
  });

  it('restores from a changelog holding superseded values and tombstones', () => {
    const events = generateStream({ seed: 31, events: 6_000 });
    const reference = run(new PartitionWindows(OPTS), events, 0, 31);
    const log = reference.changelog;
    expect(log.some((e) => e.value === null)).toBe(true);
    // What compaction would leave: the latest value per key, tombstoned keys gone.
    const compacted = new Map<string, Uint8Array | null>();
    for (const e of log) compacted.set(e.key, e.value);
    const live = [...compacted].filter(([, v]) => v !== null).map(([key, value]) => ({ key, value }));
    const fromFull = PartitionWindows.restore(OPTS, log).stats();
    const fromCompacted = PartitionWindows.restore(OPTS, live).stats();
    expect(fromCompacted).toEqual(fromFull);
  });
});
