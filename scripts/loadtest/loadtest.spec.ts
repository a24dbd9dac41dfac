import { parseLoadtestArgs } from './loadtest.args';
import { LoadtestBodies } from './loadtest.bodies';
import { LoadtestStats, summarize } from './loadtest.stats';

describe('loadtest arguments', () => {
  it('adds the ingest route to a bare URL and reads every option', () => {
    const a = parseLoadtestArgs(
      ['--url', 'http://gw:8080', '--rate=500', '--batch', '100', '--duration', '2m', '--connections', '8'],
      { GATEWAY_API_KEY: 'k' },
    );
    expect(a).toMatchObject({
      url: 'http://gw:8080/api/v1/events',
      key: 'k',
      rate: 500,
      batch: 100,
      durationSec: 120,
      connections: 8,
    });
    expect(parseLoadtestArgs(['--url', 'http://gw/metrics', '--rate', 'max'], {})).toMatchObject({
      url: 'http://gw/metrics',
      rate: undefined,
    });
  });

  it('refuses bad values with the option named', () => {
    expect(() => parseLoadtestArgs(['--batch', '0'], {})).toThrow('--batch must be an integer');
    expect(() => parseLoadtestArgs(['--url', 'ftp://x'], {})).toThrow('--url must be an http(s) URL');
    expect(() => parseLoadtestArgs(['--bogus'], {})).toThrow("Unknown option '--bogus'");
  });
});

describe('loadtest bodies', () => {
  it('are fleet events with fresh ids and the given time on every request', () => {
    const bodies = new LoadtestBodies(5, { services: 4, seed: 1, pool: 2 }, 'run');
    const ids = new Set<string>();
    for (let r = 0; r < 4; r++) {
      const events = JSON.parse(bodies.next(1_000 + r)) as { eventId: string; timestamp: number }[];
      expect(events).toHaveLength(5);
      for (const e of events) {
        expect(e.timestamp).toBe(1_000 + r);
        expect(e).toEqual(
          expect.objectContaining({ serviceId: expect.any(String), value: expect.any(Number) }),
        );
        ids.add(e.eventId);
      }
    }
    expect(ids.size).toBe(20);
  });

  it('send one event object at batch 1', () => {
    const body = JSON.parse(new LoadtestBodies(1, { services: 2, seed: 3 }).next(5)) as unknown;
    expect(Array.isArray(body)).toBe(false);
    expect(body).toEqual(expect.objectContaining({ timestamp: 5, metricName: expect.any(String) }));
  });
});

describe('loadtest summary', () => {
  it('counts events of 2xx answers only and takes quantiles over every answer', () => {
    const stats = new LoadtestStats();
    for (let i = 1; i <= 100; i++) stats.record(i <= 90 ? 200 : 429, i);
    const s = summarize(
      stats,
      { url: 'u', batch: 10, connections: 1, elapsedSec: 2 },
      { errors: 0, timeouts: 0 },
    );
    expect(s.reqPerSec).toBe(50);
    expect(s.eventsPerSec).toBe(450);
    expect(s.byStatus).toEqual({ 200: 90, 429: 10 });
    expect(s.latencyMs).toEqual({ p50: 50, p95: 95, p99: 99, max: 100 });
  });
});
