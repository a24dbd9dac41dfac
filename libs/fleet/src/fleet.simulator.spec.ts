import type { MetricEvent } from '@streammetrics/contracts';
import { FleetGenerator } from './fleet.generator';
import { FleetSimulator } from './fleet.simulator';
import type { EventSink } from './fleet.sink';

class MemorySink implements EventSink {
  readonly description = 'memory';
  readonly events: MetricEvent[] = [];
  failNext = 0;
  async connect() {}
  async send(events: MetricEvent[]) {
    if (this.failNext > 0) {
      this.failNext--;
      throw new Error('broker down');
    }
    this.events.push(...events);
  }
  async close() {}
}

describe('FleetSimulator', () => {
  it('backfills on a simulated clock: count, spacing and order of timestamps', async () => {
    const sink = new MemorySink();
    const start = Date.UTC(2024, 0, 1);
    const stats = await new FleetSimulator(new FleetGenerator({ seed: 1 }), sink, { log: () => {} }).run({
      rate: 100,
      count: 2500,
      startTime: start,
      batchSize: 1000,
      progressIntervalMs: 60_000,
    });
    expect(stats).toMatchObject({ sent: 2500, errors: 0 });
    expect(sink.events[0]?.timestamp).toBe(start);
    expect(sink.events[2499]?.timestamp).toBe(start + 24_990);
  });

  it('stops a backfill at the event-time duration', async () => {
    const sink = new MemorySink();
    await new FleetSimulator(new FleetGenerator(), sink, { log: () => {} }).run({
      rate: 50,
      durationMs: 10_000,
      startTime: 0,
      batchSize: 64,
      progressIntervalMs: 60_000,
    });
    expect(sink.events).toHaveLength(500);
  });

  it('counts failed batches as errors and carries on', async () => {
    const sink = new MemorySink();
    sink.failNext = 1;
    const stats = await new FleetSimulator(new FleetGenerator(), sink, { log: () => {} }).run({
      rate: 1000,
      count: 300,
      startTime: 0,
      batchSize: 100,
      progressIntervalMs: 60_000,
    });
    expect(stats).toMatchObject({ sent: 200, errors: 100 });
  });

  it('stops when aborted', async () => {
    const abort = new AbortController();
    abort.abort();
    const stats = await new FleetSimulator(new FleetGenerator(), new MemorySink(), { log: () => {} }).run(
      { rate: 10, batchSize: 10, progressIntervalMs: 60_000 },
      abort.signal,
    );
    expect(stats.sent).toBe(0);
  });
});
