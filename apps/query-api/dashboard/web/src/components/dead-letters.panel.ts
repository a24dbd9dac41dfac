import type { DeadLettersResponse, DeadLetterSummary } from '../api';
import { ago, esc, time } from '../format';

const sum = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
const reasonClass = (reason: string) => `reason ${reason === 'LATE_EVENT' ? 'late' : ''}`;

/** The overview's dead-letter panel: totals, a per-minute bar chart, reasons and the newest few. */
export function renderDeadLetters(el: HTMLElement, d: DeadLettersResponse): void {
  const total = sum(d.totals);
  const max = Math.max(1, ...d.perMinute.map((m) => sum(m.counts)));
  const bars = d.perMinute
    .map((m) => {
      const n = sum(m.counts);
      const late = m.counts.LATE_EVENT ?? 0;
      return `<span class="bar" title="${time(m.minute)}: ${n}" style="height:${(n / max) * 100}%"><span class="late" style="height:${n ? (late / n) * 100 : 0}%"></span></span>`;
    })
    .join('');
  const reasons = Object.entries(d.totals)
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `<li><span class="${reasonClass(r)}">${esc(r)}</span><span class="n">${n}</span></li>`)
    .join('');
  el.innerHTML = `
    <h3>Dead letters <span class="muted">last 60 min</span></h3>
    <div class="kpis small">
      <div><label>total</label><strong data-testid="dlq-total">${total}</strong></div>
      <div><label>late events</label><strong class="${d.late ? 'warn' : ''}">${d.late}</strong></div>
    </div>
    <div class="bars">${bars}</div>
    <ul class="reasons">${reasons || '<li class="muted">nothing dead-lettered</li>'}</ul>
    <ul class="recent">${d.recent.map(recent).join('')}</ul>`;
}

function recent(x: DeadLetterSummary): string {
  return `
      <li>
        <div class="row"><span class="${reasonClass(x.reason)}">${esc(x.reason)}</span><span class="muted">${ago(x.time)}</span></div>
        <div class="err">${esc(x.error)}</div>
        <code>${esc(x.valuePreview.slice(0, 120))}</code>
      </li>`;
}
