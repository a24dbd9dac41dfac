import { renderE2e, targetVerdict } from './e2e.report';
import type { HopStats, PhaseResult } from './phase.types';

const h = (p99: number): HopStats => ({ p50: p99 / 2, p95: p99 * 0.9, p99, max: p99 + 1, mean: p99 / 2 });

function phase(rate: number, p99: number, problems: string[] = []): PhaseResult {
  return {
    rate,
    sustained: problems.length === 0,
    problems,
    seconds: 25,
    load: {
      url: 'http://127.0.0.1:1/api/v1/events',
      batch: 10,
      connections: 32,
      rate: rate / 10,
      durationSec: 30,
      requests: rate * 3,
      reqPerSec: rate / 10,
      eventsPerSec: rate,
      latencyMs: { p99: 20 },
      byStatus: { '200': rate * 3 },
      errors: 0,
      timeouts: 0,
    },
    probes: { sampled: 250, reached: 250, undecidable: 0, slipped: 0, withEveryHop: 250 },
    latency: h(p99),
    hops: {
      ack: h(10),
      emit: h(p99 - 30),
      emitWait: h(p99 - 40),
      emitVisible: h(10),
      sink: h(10),
      ws: h(10),
    },
    emitGapMs: h(1_000),
    lag: { end: { processor: 0, sink: 0 }, max: { processor: 10, sink: 10 } },
    caughtUpSec: 0.5,
    aggregatesPerSec: 100,
    channelMessagesPerSec: 100,
    wsCoalesced: 0,
    cores: {},
    harnessCores: { loadtest: 0.1, bench: 0.1 },
    peakRssMb: {},
    loadavg: { before: [1, 1, 1], after: [1, 1, 1] },
  };
}

describe('the end-to-end report', () => {
  it('prints "saturated" instead of latencies for a rate the pipeline did not sustain', () => {
    const out = renderE2e(
      [phase(1_000, 150), phase(10_000, 900, ['gateway acknowledged 4000 of 10000 events/s offered'])],
      { kafka: [5], redis: [1] },
      1_000,
    );
    const rows = out.split('\n').filter((l) => l.startsWith('| 1'));
    expect(rows[0]).toContain('| 1,000 | 1,000 | 75 | 135 | 150 | 151 |');
    expect(rows[1]).toContain('| 10,000 | 10,000 | saturated | saturated | saturated | saturated |');
    expect(out).toContain('| 10,000 | every hop | saturated | saturated | saturated | saturated |');
    expect(out).not.toMatch(/\| 10,000 \| gateway ack/);
  });

  it('says whether the target was met, not reached, or not reached because the rate saturated', () => {
    expect(targetVerdict([phase(10_000, 180)])).toMatch(/: met \(p99 180 ms\)$/);
    expect(targetVerdict([phase(10_000, 250)])).toMatch(/: not reached \(p99 250 ms\)$/);
    expect(targetVerdict([phase(10_000, 100, ['sink lag'])])).toMatch(/not reached \(saturated: sink lag\)$/);
    expect(targetVerdict([phase(1_000, 100)])).toMatch(/not measured in this run$/);
  });
});
