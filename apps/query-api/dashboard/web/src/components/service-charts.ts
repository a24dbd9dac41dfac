import type { AlertInterval } from '../alert-intervals';
import { AlertMarkers } from '../alert-markers';
import type { LiveUpdate } from '../live';
import type { SeriesPointDto } from '../api';
import { TimeChart } from '../chart';

const COLORS = { p50: '#5eead4', p95: '#fbbf24', p99: '#f472b6', rate: '#60a5fa' };

/** The service page's latency (p50/p95/p99) and throughput charts over one series. */
export class ServiceCharts {
  private readonly latency: TimeChart;
  private readonly rate: TimeChart;
  private readonly markers = [new AlertMarkers(), new AlertMarkers()] as const;

  constructor(latencyEl: HTMLElement, rateEl: HTMLElement) {
    this.latency = new TimeChart(
      latencyEl,
      [
        { label: 'p50', color: COLORS.p50 },
        { label: 'p95', color: COLORS.p95 },
        { label: 'p99', color: COLORS.p99 },
      ],
      'ms',
      260,
      [this.markers[0].plugin()],
    );
    this.rate = new TimeChart(rateEl, [{ label: 'rate', color: COLORS.rate, fill: true }], '/s', 180, [
      this.markers[1].plugin(),
    ]);
  }

  /** Marks where the service's alerts fired and resolved, on both charts. */
  setAlerts(intervals: AlertInterval[]): void {
    for (const m of this.markers) m.set(intervals);
    this.latency.refresh();
    this.rate.refresh();
  }

  /** Replaces every point (a new range, metric or filter). */
  set(points: SeriesPointDto[]): void {
    const xs = points.map((p) => p.start);
    this.latency.set(xs, [
      points.map((p) => p.p50 ?? null),
      points.map((p) => p.p95 ?? null),
      points.map((p) => p.p99 ?? null),
    ]);
    this.rate.set(xs, [points.map((p) => p.rate ?? null)]);
  }

  /** Adds or replaces the point of one live update; points before `keepFromMs` scroll out. */
  apply(u: LiveUpdate, keepFromMs: number): void {
    const r = u.record;
    this.latency.upsert(r.window.start, [r.p50, r.p95, r.p99], keepFromMs);
    this.rate.upsert(r.window.start, [r.rate], keepFromMs);
  }

  destroy(): void {
    this.latency.destroy();
    this.rate.destroy();
  }
}
