import { saturationProblems, type PhaseOutcome } from './saturation';

const ok: PhaseOutcome = {
  rate: 1_000,
  load: {
    url: 'http://127.0.0.1:1/api/v1/events',
    batch: 10,
    connections: 50,
    rate: 100,
    durationSec: 30,
    requests: 3_000,
    reqPerSec: 100,
    eventsPerSec: 990,
    latencyMs: {},
    byStatus: { '200': 3_000 },
    errors: 0,
    timeouts: 0,
  },
  caughtUpSec: 1.2,
  drainSec: 20,
  endLag: { processor: 10, sink: 200 },
  probes: 300,
  reached: 300,
};

describe('saturationProblems', () => {
  it('finds none when everything offered was acknowledged and worked off', () => {
    expect(saturationProblems(ok)).toEqual([]);
  });

  it('names each way a rate is not sustained', () => {
    const problems = saturationProblems({
      ...ok,
      load: { ...ok.load, eventsPerSec: 600, byStatus: { '200': 2_990, '429': 10 } },
      caughtUpSec: undefined,
      reached: 290,
    });
    expect(problems).toEqual([
      'gateway acknowledged 600 of 1000 events/s offered',
      '10 of 3000 requests failed',
      'processor and sink still behind 20 s after the load to catch up (lag at its end: processor 10 events, sink 200 aggregates)',
      '10 of 300 probes never reached the WebSocket',
    ]);
    expect(saturationProblems({ ...ok, caughtUpSec: 7.5 })).toHaveLength(1);
    expect(saturationProblems({ ...ok, probes: 0, reached: 0 })).toEqual(['no probe was acknowledged']);
  });
});
