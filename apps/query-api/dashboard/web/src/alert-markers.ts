import type uPlot from 'uplot';
import type { AlertInterval } from './alert-intervals';
import { esc } from './format';

/**
 * A uPlot plugin marking alerts on a time chart: a line where each fired, a line where it resolved
 * and a band between (to the right edge while it still fires). Drawn as elements in uPlot's
 * overlay rather than on the canvas, so they are found in the DOM; they take no pointer events,
 * so the cursor and legend work through them.
 */
export class AlertMarkers {
  private intervals: AlertInterval[] = [];
  private layer?: HTMLElement;

  plugin(): uPlot.Plugin {
    return {
      hooks: {
        init: (u) => {
          this.layer = document.createElement('div');
          this.layer.className = 'alert-markers';
          u.over.appendChild(this.layer);
        },
        draw: (u) => this.draw(u),
      },
    };
  }

  set(intervals: AlertInterval[]): void {
    this.intervals = intervals;
  }

  private draw(u: uPlot): void {
    const layer = this.layer;
    if (!layer) return;
    const { min, max } = u.scales.x ?? {};
    // No data yet: the x scale has no range to place anything on.
    if (typeof min !== 'number' || typeof max !== 'number') return;
    const x = (ms: number) => u.valToPos(ms / 1000, 'x');
    const parts: string[] = [];
    for (const i of this.intervals) {
      const to = i.to ?? max * 1000;
      if (to < min * 1000 || i.from > max * 1000) continue;
      const left = Math.max(0, x(i.from));
      const right = Math.min(u.over.clientWidth, x(to));
      const title = `${i.label}: fired ${new Date(i.from).toISOString()}${i.to === null ? ', still firing' : `, resolved ${new Date(i.to).toISOString()}`}`;
      parts.push(
        `<div class="alert-band" style="left:${left}px;width:${Math.max(1, right - left)}px" title="${esc(title)}"></div>`,
      );
      if (i.from >= min * 1000)
        parts.push(`<div class="alert-marker fired" data-at="${i.from}" style="left:${x(i.from)}px"></div>`);
      if (i.to !== null && i.to <= max * 1000)
        parts.push(`<div class="alert-marker resolved" data-at="${i.to}" style="left:${x(i.to)}px"></div>`);
    }
    layer.innerHTML = parts.join('');
    layer.dataset.markers = String(parts.length);
  }
}
