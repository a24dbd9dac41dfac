import type { HotUpdate } from '@streammetrics/contracts';
import type { LiveSocket } from '../live.session';

/** A socket that records what it is sent; `bufferedAmount` is set by the test. */
export class FakeSocket implements LiveSocket {
  readyState = 1;
  bufferedAmount = 0;
  sent: string[] = [];
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.readyState = 3;
  }
}

/** A 1m update of series `series` of service `svc` (metric `m`), its window starting at `start`. */
export const update = (series: string, start: number, serviceId = 'svc'): HotUpdate => ({
  window: '1m',
  emit: 'update',
  record: {
    serviceId,
    metricName: 'm',
    tags: { series },
    window: { type: 'tumbling', size: '1m', start, end: start + 60_000 },
    count: 1,
    sum: 1,
    min: 1,
    max: 1,
    avg: 1,
    rate: 1,
    p50: 1,
    p95: 1,
    p99: 1,
    final: false,
    streamTime: start,
    emittedAt: start,
  },
});
