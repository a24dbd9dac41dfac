import { num } from '../format';

const LABELS = {
  rate: 'throughput',
  p50: 'p50',
  p95: 'p95',
  p99: 'p99',
  events: 'events',
  p999: 'p99.9',
  max: 'max',
} as const;

export type TileId = keyof typeof LABELS;

/** The service page's number tiles; each shows a value, its unit and (optionally) a new label. */
export class Tiles {
  constructor(private readonly el: HTMLElement) {
    el.innerHTML = Object.entries(LABELS)
      .map(
        ([k, l]) =>
          `<div class="panel tile ${k}" id="tile-${k}"><label>${l}</label><strong>—</strong><small></small></div>`,
      )
      .join('');
  }

  set(id: TileId, value: number | null | undefined, unit: string, label?: string): void {
    const tile = this.el.querySelector<HTMLElement>(`#tile-${id}`);
    if (!tile) return;
    (tile.querySelector('strong') as HTMLElement).textContent = num(value);
    (tile.querySelector('small') as HTMLElement).textContent = unit;
    if (label) (tile.querySelector('label') as HTMLElement).textContent = label;
  }

  /** The newest window's throughput and percentiles. */
  setWindow(w: {
    rate?: number | null;
    p50?: number | null;
    p95?: number | null;
    p99?: number | null;
  }): void {
    this.set('rate', w.rate, '/s');
    this.set('p50', w.p50, 'ms');
    this.set('p95', w.p95, 'ms');
    this.set('p99', w.p99, 'ms');
  }
}
