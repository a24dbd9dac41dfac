import { windowSpec, type WindowId } from '@streammetrics/contracts';
import { metricEvent as ev } from './event-stream.fixture';
import { PartitionWindows, type EmittedAggregate } from './partition.windows';
import type { WindowingOptions } from './windowing.options';

const T0 = Date.UTC(2024, 1, 7, 1, 0, 0); // a 15-minute boundary
const OPTS: WindowingOptions = {
  graceMs: 10_000,
  emitIntervalMs: 1_000,
  maxTagSetsPerMetric: 1_000,
  idleTimeoutMs: 0,
};

function make(opts: Partial<WindowingOptions> = {}): PartitionWindows {
  return new PartitionWindows({ ...OPTS, ...opts });
}

const finals = (outs: EmittedAggregate[]) => outs.filter((o) => o.emit === 'final');
const updates = (outs: EmittedAggregate[]) => outs.filter((o) => o.emit === 'update');
const ids = (outs: EmittedAggregate[]) =>
  outs.map((o) => `${o.record.window.type}:${o.record.window.size}@${(o.record.window.start - T0) / 1000}`);

describe('PartitionWindows lateness', () => {
  it('accepts at end + grace - 1 and rejects at end + grace, to the millisecond', () => {
    const pw = make({ windows: [windowSpec('1m')] });
    pw.ingest(ev(T0 + 69_999, 1), 0);
    expect(pw.ingest(ev(T0 + 59_999, 2), 0)).toEqual({ kind: 'accepted', missedWindows: [] });
    pw.ingest(ev(T0 + 70_000, 3), 0);
    expect(pw.ingest(ev(T0 + 59_999, 4), 0)).toEqual({ kind: 'late' });
    // The boundary event itself belongs to the next window.
    expect(pw.ingest(ev(T0 + 60_000, 5), 0)).toEqual({ kind: 'accepted', missedWindows: [] });
  });

  it('judges lateness by stream time before the record, which never goes backwards', () => {
    const pw = make({ windows: [windowSpec('1m')] });
    pw.ingest(ev(T0 + 100_000, 1), 0);
    pw.ingest(ev(T0 + 65_000, 1), 0);
    expect(pw.streamTime).toBe(T0 + 100_000);
  });

  it('feeds a two-minute-late record to its open 5m and 15m windows and reports the missed sizes', () => {
    const pw = make();
    pw.ingest(ev(T0 + 61_000, 10), 0);
    pw.ingest(ev(T0 + 200_000, 20), 0);
    const outcome = pw.ingest(ev(T0 + 65_000, 30), 0);
    expect(outcome).toEqual({ kind: 'accepted', missedWindows: ['1m', '1m-hop10s'] });
    expect(pw.stats().lateByWindow).toEqual({ '1m': 1, '5m': 0, '15m': 0, '1m-hop10s': 1 });

    pw.ingest(ev(T0 + 2_000_000, 0, {}, 'other'), 1);
    const out = finals(pw.collect(1).outputs).filter((o) => o.key === 'payment-service');
    const byWindow = (size: string, start: number) =>
      out.find(
        (o) =>
          o.record.window.size === size &&
          o.record.window.type === 'tumbling' &&
          o.record.window.start === start,
      )?.record;
    expect(byWindow('1m', T0 + 60_000)?.count).toBe(1); // closed before the late record came
    expect(byWindow('5m', T0)?.count).toBe(3);
    expect(byWindow('15m', T0)?.sum).toBe(60);
  });

  it('reports a record no window accepts as late and leaves state untouched', () => {
    const pw = make();
    pw.ingest(ev(T0 + 1_000_000, 1), 0);
    pw.collect(0);
    const before = pw.stats();
    expect(pw.ingest(ev(T0 + 5_000, 1, { endpoint: '/new' }, 'new-service'), 1)).toEqual({ kind: 'late' });
    expect(pw.stats()).toEqual(before);
    const after = pw.collect(1);
    expect(after.outputs).toEqual([]);
    expect(after.changelog).toEqual([]);
  });
});

describe('PartitionWindows emission', () => {
  it('hands out at most maxUpdatesPerCollect updates per collect, the rest in order later, finals never held', () => {
    const pw = make({ windows: [windowSpec('1m')], maxUpdatesPerCollect: 4 });
    for (let i = 0; i < 5; i++) pw.ingest(ev(T0 + 1_000 + i, 1, { host: `h${i}` }), 0);
    // Five tag sets plus the rollup: six windows changed, four go now, two at the next collect.
    const first = pw.collect(0).outputs;
    expect(updates(first)).toHaveLength(4);
    const second = pw.collect(0).outputs;
    expect(updates(second)).toHaveLength(2);
    const tagsOf = (outs: EmittedAggregate[]) => outs.map((o) => JSON.stringify(o.record.tags));
    expect(new Set([...tagsOf(first), ...tagsOf(second)]).size).toBe(6);
    expect(pw.collect(5_000).outputs).toEqual([]);
    // Closing all six windows at once: six finals in one collect, over the limit.
    for (let i = 0; i < 5; i++) pw.ingest(ev(T0 + 2_000 + i, 1, { host: `h${i}` }), 10);
    pw.ingest(ev(T0 + 80_000, 1, { host: 'h0' }), 10);
    const closing = pw.collect(10).outputs;
    expect(finals(closing)).toHaveLength(6);
    expect(
      finals(closing)
        .map((o) => o.record.count)
        .sort(),
    ).toEqual([10, 2, 2, 2, 2, 2].sort());
  });

  it('emits one update per changed window, then throttles by the wall clock', () => {
    const pw = make();
    pw.ingest(ev(T0 + 65_000, 5), 0);
    const first = pw.collect(0).outputs;
    // 1m + 5m + 15m + six hopping windows of the rollup (the event has no tags).
    expect(ids(first).sort()).toEqual(
      [
        'tumbling:1m@60',
        'tumbling:5m@0',
        'tumbling:15m@0',
        ...[10, 20, 30, 40, 50, 60].map((s) => `hopping:1m@${s}`),
      ].sort(),
    );
    expect(first.every((o) => o.emit === 'update' && !o.record.final && o.record.emittedAt === 0)).toBe(true);

    pw.ingest(ev(T0 + 66_000, 7), 400);
    expect(pw.collect(400).outputs).toEqual([]);
    expect(pw.collect(999).outputs).toEqual([]);
    const second = pw.collect(1_000).outputs;
    expect(second).toHaveLength(9);
    expect(second.map((o) => o.record.count)).toEqual(new Array(9).fill(2));
    expect(pw.collect(5_000).outputs).toEqual([]); // nothing changed since
  });

  it('emits exactly one final per window when stream time reaches end + grace, after its updates', () => {
    const pw = make({ windows: [windowSpec('1m')] });
    const all: EmittedAggregate[] = [];
    pw.ingest(ev(T0 + 1_000, 1), 0);
    all.push(...pw.collect(0).outputs);
    pw.ingest(ev(T0 + 69_999, 2), 2_000);
    all.push(...pw.collect(2_000).outputs);
    expect(finals(all)).toEqual([]);
    pw.ingest(ev(T0 + 70_000, 3), 4_000);
    all.push(...pw.collect(4_000).outputs);
    pw.ingest(ev(T0 + 200_000, 4), 6_000);
    all.push(...pw.collect(6_000).outputs, ...pw.collect(7_000).outputs);

    const first = all.filter((o) => o.record.window.start === T0);
    expect(first.map((o) => o.emit)).toEqual(['update', 'final']);
    const final = first[1]?.record;
    expect(final).toMatchObject({ count: 1, sum: 1, final: true, streamTime: T0 + 70_000, emittedAt: 4_000 });
    expect(finals(all).filter((o) => o.record.window.start === T0 + 60_000)).toHaveLength(1);
  });

  it('lets a final supersede a pending throttled update of the same window', () => {
    const pw = make({ windows: [windowSpec('1m')] });
    pw.ingest(ev(T0 + 1_000, 1), 0);
    expect(updates(pw.collect(0).outputs)).toHaveLength(1);
    pw.ingest(ev(T0 + 2_000, 1), 100);
    pw.collect(100); // throttled: the update stays pending
    pw.ingest(ev(T0 + 80_000, 1), 200);
    const out = pw.collect(200).outputs;
    expect(out.filter((o) => o.record.window.start === T0).map((o) => o.emit)).toEqual(['final']);
    expect(pw.collect(5_000).outputs.filter((o) => o.record.window.start === T0)).toEqual([]);
  });

  it('sends no update for a window that closed between the record and the collect', () => {
    const pw = make();
    pw.ingest(ev(T0 + 65_000, 1), 0);
    pw.ingest(ev(T0 + 130_000, 1), 0); // closes 1m@60 and the hops ending by 120 s
    pw.ingest(ev(T0 + 62_000, 1), 0); // same slice as the first, now only for 5m and 15m
    const out = pw.collect(0).outputs.filter((o) => o.record.window.start === T0 + 60_000);
    expect(out.map((o) => `${o.emit}:${o.record.window.type}:${o.record.count}`)).toEqual([
      'final:tumbling:1',
      'final:hopping:1',
    ]);
  });

  it('emits finals in window-end order and nothing for windows without events', () => {
    const pw = make();
    pw.ingest(ev(T0 + 5_000, 1), 0);
    pw.ingest(ev(T0 + 125_000, 2), 0);
    pw.ingest(ev(T0 + 5_000_000, 0, {}, 'other'), 0);
    const out = finals(pw.collect(0).outputs).filter((o) => o.key === 'payment-service');
    const ends = out.map((o) => o.record.window.end);
    expect(ends).toEqual([...ends].sort((a, b) => a - b));
    // T0+5s: 1m@0, hop@-50..0 (6); T0+125s: 1m@120, hop@70..120 (6); 5m and 15m shared.
    expect(ids(out).sort()).toEqual(
      [
        'tumbling:1m@0',
        'tumbling:1m@120',
        'tumbling:5m@0',
        'tumbling:15m@0',
        ...[-50, -40, -30, -20, -10, 0, 70, 80, 90, 100, 110, 120].map((s) => `hopping:1m@${s}`),
      ].sort(),
    );
  });

  it('fills every field of the aggregate record', () => {
    const pw = make({ windows: [windowSpec('1m')] });
    for (const v of [1, 2, 3, 10]) pw.ingest(ev(T0 + 1_000, v, { method: 'GET', endpoint: '/x' }), 0);
    pw.ingest(ev(T0 + 70_000, 0, {}, 'other'), 0);
    const out = pw.collect(42).outputs.filter((o) => o.emit === 'final');
    const tagged = out.find((o) => Object.keys(o.record.tags).length > 0);
    expect(tagged).toMatchObject({ topic: 'metrics-aggregated-1m', key: 'payment-service', emit: 'final' });
    const r = tagged?.record;
    expect(r).toMatchObject({
      serviceId: 'payment-service',
      metricName: 'api.request.duration',
      window: { type: 'tumbling', size: '1m', start: T0, end: T0 + 60_000 },
      count: 4,
      sum: 16,
      min: 1,
      max: 10,
      avg: 4,
      rate: 4 / 60,
      final: true,
      streamTime: T0 + 70_000,
      emittedAt: 42,
    });
    expect(Object.keys(r?.tags ?? {})).toEqual(['endpoint', 'method']);
    expect(r?.p50).toBeGreaterThanOrEqual(2);
    expect(r?.p50).toBeLessThanOrEqual(3);
    expect(r?.p99).toBeLessThanOrEqual(10);
    expect(typeof r?.digest).toBe('string');
  });
});

describe('PartitionWindows grouping', () => {
  const rollupOf = (outs: EmittedAggregate[]) => outs.filter((o) => Object.keys(o.record.tags).length === 0);

  it('counts a tagless event once, in the rollup only', () => {
    const pw = make({ windows: [windowSpec('1m')] });
    pw.ingest(ev(T0 + 1_000, 5), 0);
    pw.ingest(ev(T0 + 2_000, 7, { endpoint: '/a' }), 0);
    pw.ingest(ev(T0 + 3_000, 9, { endpoint: '/a' }), 0);
    const out = pw.collect(0).outputs;
    expect(out).toHaveLength(2);
    expect(rollupOf(out)[0]?.record).toMatchObject({ count: 3, sum: 21 });
    expect(out.find((o) => o.record.tags.endpoint === '/a')?.record).toMatchObject({ count: 2, sum: 16 });
  });

  it('treats tag sets in any key order as one series', () => {
    const pw = make({ windows: [windowSpec('1m')] });
    pw.ingest(ev(T0 + 1_000, 1, { b: '2', a: '1' }), 0);
    pw.ingest(ev(T0 + 2_000, 1, { a: '1', b: '2' }), 0);
    expect(pw.stats().activeSeries).toBe(2); // the tag set and the rollup
  });

  it('folds tag sets beyond the cap into one overflow series, still counted in the rollup', () => {
    const pw = make({ windows: [windowSpec('1m')], maxTagSetsPerMetric: 2 });
    for (const endpoint of ['/a', '/b', '/c', '/d', '/a', '/c'])
      pw.ingest(ev(T0 + 1_000, 1, { endpoint }), 0);
    pw.ingest(ev(T0 + 1_000, 1, { endpoint: '/z' }, 'payment-service', 'other.metric'), 0); // its own cap
    const stats = pw.stats();
    expect(stats.overflowed).toBe(3);
    expect(stats.activeSeries).toBe(2 + 1 + 1 + 2); // /a, /b, overflow, rollup; other metric + rollup
    const out = pw.collect(0).outputs.filter((o) => o.record.metricName === 'api.request.duration');
    const count = (tags: Record<string, string>) =>
      out.find((o) => JSON.stringify(o.record.tags) === JSON.stringify(tags))?.record.count;
    expect(count({ endpoint: '/a' })).toBe(2);
    expect(count({ endpoint: '/b' })).toBe(1);
    expect(count({ __overflow__: 'true' })).toBe(3);
    expect(count({})).toBe(6);
  });

  it('folds new series beyond the per-partition cap into one overflow series, whatever their service', () => {
    const pw = make({ windows: [windowSpec('1m')], maxSeriesPerPartition: 3 });
    for (const svc of ['s1', 's2', 's3', 's4', 's5', 's1', 's4']) pw.ingest(ev(T0 + 1_000, 1, {}, svc), 0);
    const stats = pw.stats();
    expect(stats.seriesOverflowed).toBe(3); // s4, s5, s4 again: their series were never made
    expect(stats.activeSeries).toBe(3 + 2); // s1..s3, the overflow series and its group's rollup
    const out = pw.collect(0).outputs;
    const count = (svc: string) => out.find((o) => o.record.serviceId === svc)?.record.count;
    expect(count('s1')).toBe(2);
    expect(count('__overflow__')).toBe(3);
    expect(out.some((o) => o.record.serviceId === 's4')).toBe(false);
  });

  it('frees cap slots once a tag set has no open window left', () => {
    const pw = make({ windows: [windowSpec('1m')], maxTagSetsPerMetric: 1 });
    pw.ingest(ev(T0 + 1_000, 1, { endpoint: '/a' }), 0);
    pw.ingest(ev(T0 + 69_999, 1), 0);
    pw.ingest(ev(T0 + 69_999, 1, { endpoint: '/b' }), 0); // /a still has an open window
    expect(pw.stats().overflowed).toBe(1);
    pw.ingest(ev(T0 + 70_000, 1), 0); // closes it; /a's slot frees
    pw.ingest(ev(T0 + 70_000, 1, { endpoint: '/b' }), 0);
    expect(pw.stats().overflowed).toBe(1);
    expect(pw.stats().activeSeries).toBe(3); // /b, the rollup, and the overflow series holding /b's first event
  });
});

describe('PartitionWindows idle partitions', () => {
  it('advances stream time with the wall clock after the idle timeout so windows close', () => {
    const pw = make({ idleTimeoutMs: 30_000 });
    pw.tick(1); // nothing seen yet: nothing to advance
    expect(pw.streamTime).toBe(-Infinity);
    const wall = T0 + 65_000;
    pw.ingest(ev(T0 + 65_000, 1), wall);
    pw.tick(wall + 29_999);
    expect(pw.streamTime).toBe(T0 + 65_000);
    pw.tick(wall + 30_000);
    expect(pw.streamTime).toBe(wall + 30_000 - 10_000);
    expect(ids(finals(pw.collect(wall + 30_000).outputs))).toEqual(['hopping:1m@10']); // end 70 s + grace <= 85 s
    pw.tick(wall + 10_000); // never backwards
    expect(pw.streamTime).toBe(wall + 30_000 - 10_000);
    pw.tick(wall + 1_000_000);
    expect(ids(finals(pw.collect(wall + 1_000_000).outputs))).toEqual([
      ...[20, 30, 40, 50].map((s) => `hopping:1m@${s}`),
      'tumbling:1m@60', // same end as the next: spec order
      'hopping:1m@60',
      'tumbling:5m@0',
      'tumbling:15m@0',
    ]);
  });

  it('never advances with idleTimeoutMs 0', () => {
    const pw = make({ idleTimeoutMs: 0 });
    pw.ingest(ev(T0, 1), T0);
    pw.tick(T0 + 10_000_000);
    expect(pw.streamTime).toBe(T0);
  });
});

describe('PartitionWindows state', () => {
  it('writes changed slices and meta once per collect and tombstones slices no window needs', () => {
    const pw = make();
    pw.ingest(ev(T0 + 1_000, 1, { endpoint: '/a' }), 0);
    pw.ingest(ev(T0 + 2_000, 1, { endpoint: '/a' }), 0);
    const keys = pw.collect(0).changelog.map((c) => c.key);
    expect(keys).toEqual([
      `s|payment-service|api.request.duration|{"endpoint":"/a"}|${T0}`,
      `s|payment-service|api.request.duration||${T0}`,
      'meta',
    ]);
    expect(pw.collect(1).changelog).toEqual([]);
    pw.ingest(ev(T0 + 909_999, 1, {}, 'other'), 2);
    expect(pw.collect(2).changelog.filter((c) => c.value === null)).toEqual([]);
    pw.ingest(ev(T0 + 910_000, 1, {}, 'other'), 3);
    const tombstones = pw.collect(3).changelog.filter((c) => c.value === null);
    expect(tombstones.map((c) => c.key)).toEqual(keys.slice(0, 2));
    expect(pw.stats().activeSeries).toBe(1);
  });

  it('rejects invalid options with every problem listed', () => {
    expect(() => make({ graceMs: -1, emitIntervalMs: 1.5 })).toThrow(/graceMs.*emitIntervalMs/);
    expect(() => make({ windows: [{ ...windowSpec('1m'), advanceMs: 7_000 }] })).toThrow(/multiple/);
  });

  it('reports every window id in lateByWindow', () => {
    const keys: WindowId[] = ['1m', '5m', '15m', '1m-hop10s'];
    expect(Object.keys(make().stats().lateByWindow).sort()).toEqual([...keys].sort());
  });
});
