import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { num } from './format';

export interface Line {
  label: string;
  color: string;
  fill?: boolean;
}

const FONT = '11px Inter, ui-sans-serif, system-ui, sans-serif';
const TICK_SIZE = 10;
const GAP = 5;
/** The y axis is never narrower than this, so short labels ("0 ms") do not make the plot jump. */
const MIN_Y_AXIS = 40;
const AXIS = {
  stroke: '#8a93a6',
  grid: { stroke: 'rgba(138,147,166,0.10)', width: 1 },
  ticks: { stroke: 'rgba(138,147,166,0.18)', width: 1, size: TICK_SIZE },
  gap: GAP,
  font: FONT,
};

let measureCtx: CanvasRenderingContext2D | null | undefined;

/** Width in CSS pixels of the widest label in `font` (0 when there is nothing to measure). */
function widestLabel(labels: readonly string[] | null, font: string): number {
  measureCtx ??= document.createElement('canvas').getContext('2d');
  if (!measureCtx || !labels?.length) return 0;
  measureCtx.font = font;
  return Math.max(...labels.map((l) => measureCtx?.measureText(l).width ?? 0));
}

/**
 * The y axis' width: its widest label (measured, in the axis font) plus the tick and the gap. A
 * fixed width clipped the labels uPlot right-aligns against the plot: "4000 ms" showed as "000 ms".
 */
export function yAxisSize(labels: readonly string[] | null): number {
  return Math.max(MIN_Y_AXIS, Math.ceil(widestLabel(labels, FONT) + TICK_SIZE + GAP + 1));
}

/** What the y axis drew, on the element (`data-y-axis`): the e2e checks the labels fit. */
export interface YAxisDrawn {
  font: string;
  tickSize: number;
  gap: number;
  labels: string[];
}

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
    plugins: uPlot.Plugin[] = [],
  ) {
    this.ys = lines.map(() => []);
    const opts: uPlot.Options = {
      width: Math.max(300, el.clientWidth),
      height,
      plugins,
      cursor: { drag: { x: false, y: false }, points: { size: 6 } },
      legend: { live: true },
      scales: {
        x: { time: true },
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        { ...AXIS },
        {
          ...AXIS,
          // uPlot calls this with the formatted labels of each layout pass (null before the first).
          size: (_u, labels) => yAxisSize(labels),
          values: (_u, vals) => {
            const labels = vals.map((v) => num(v, 0) + (unit ? ` ${unit}` : ''));
            const drawn: YAxisDrawn = { font: FONT, tickSize: TICK_SIZE, gap: GAP, labels };
            el.dataset.yAxis = JSON.stringify(drawn);
            return labels;
          },
        },
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

  /** Draws again without new data (what a plugin shows changed). */
  refresh(): void {
    this.plot.redraw(false, false);
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
