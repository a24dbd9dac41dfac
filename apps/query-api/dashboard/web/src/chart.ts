import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { num } from './format';

export interface Line {
  label: string;
  color: string;
  fill?: boolean;
}

const AXIS = {
  stroke: '#8a93a6',
  grid: { stroke: 'rgba(138,147,166,0.10)', width: 1 },
  ticks: { stroke: 'rgba(138,147,166,0.18)', width: 1 },
  font: '11px Inter, ui-sans-serif, system-ui, sans-serif',
};

/**
 * A time chart that keeps its data as [x seconds, ...series]; `upsert` adds or replaces the point of
 * one window start (a live update), `set` replaces everything (a new range).
 */
export class TimeChart {
  private readonly plot: uPlot;
  private xs: number[] = [];
  private ys: (number | null)[][];
  private readonly ro: ResizeObserver;

  constructor(
    private readonly el: HTMLElement,
    lines: Line[],
    unit: string,
    height = 260,
  ) {
    this.ys = lines.map(() => []);
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height,
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      legend: { live: true },
      scales: {
        x: { time: true },
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        { ...AXIS },
        { ...AXIS, size: 56, values: (_u, vals) => vals.map((v) => num(v, 0) + (unit ? ` ${unit}` : '')) },
      ],
      series: [
        {},
        ...lines.map((l) => ({
          label: l.label,
          stroke: l.color,
          width: 2,
          fill: l.fill ? `${l.color}22` : undefined,
          points: { show: false },
          spanGaps: false,
          value: (_u: uPlot, v: number | null) => (v === null ? '—' : `${num(v)}${unit ? ' ' + unit : ''}`),
        })),
      ],
    };
    this.plot = new uPlot(opts, [[], ...this.ys] as uPlot.AlignedData, el);
    this.ro = new ResizeObserver(() => this.plot.setSize({ width: Math.max(300, el.clientWidth), height }));
    this.ro.observe(el);
  }

  set(xsMs: number[], ys: (number | null)[][]): void {
    this.xs = xsMs.map((x) => x / 1000);
    this.ys = ys;
    this.redraw();
  }

  upsert(xMs: number, values: (number | null)[], keepFromMs: number): void {
    const x = xMs / 1000;
    let i = this.xs.length;
    while (i > 0 && (this.xs[i - 1] as number) > x) i--;
    if (i > 0 && this.xs[i - 1] === x) this.ys.forEach((s, k) => (s[i - 1] = values[k] ?? null));
    else {
      this.xs.splice(i, 0, x);
      this.ys.forEach((s, k) => s.splice(i, 0, values[k] ?? null));
    }
    const drop = this.xs.findIndex((v) => v >= keepFromMs / 1000);
    if (drop > 0) {
      this.xs.splice(0, drop);
      this.ys.forEach((s) => s.splice(0, drop));
    }
    this.redraw();
  }

  get points(): number {
    return this.xs.length;
  }

  private redraw(): void {
    this.plot.setData([this.xs, ...this.ys] as uPlot.AlignedData);
    this.el.dataset.points = String(this.xs.length);
  }

  destroy(): void {
    this.ro.disconnect();
    this.plot.destroy();
  }
}
