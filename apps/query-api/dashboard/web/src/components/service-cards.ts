import type { MetricOverview, ServiceOverview } from '../api';
import { ago, esc, num, pct, sparkline } from '../format';
import { serviceHref } from '../router';

/** The overview's cards: one per live service, a row per metric. */
export function renderServiceCards(el: HTMLElement, services: ServiceOverview[]): void {
  if (services.length === 0) {
    el.innerHTML = `<div class="empty">No service has reported in the last hour. Start the fleet: <code>npm start</code>.</div>`;
    return;
  }
  el.innerHTML = services.map(card).join('');
}

function card(s: ServiceOverview): string {
  const errors = s.metrics.reduce((a, m) => Math.max(a, m.errorRatio ?? 0), 0);
  return `
      <a class="panel card" href="${serviceHref(s.service)}" data-service="${esc(s.service)}">
        <div class="card-head">
          <h2>${esc(s.service)}</h2>
          <span class="muted">${ago(s.lastSeen)}</span>
        </div>
        <div class="kpis">
          <div><label>throughput</label><strong>${num(s.rate)}</strong><small>ev/s</small></div>
          <div><label>errors</label><strong class="${errors > 0.01 ? 'bad' : 'good'}">${pct(errors)}</strong></div>
          <div><label>metrics</label><strong>${s.metrics.length}</strong></div>
        </div>
        <table class="metrics">
          <thead><tr><th>metric</th><th class="n">rate</th><th class="n">p50</th><th class="n">p95</th><th class="n">p99</th><th class="n">err</th><th>p99 · 30m</th></tr></thead>
          <tbody>${s.metrics.map(row).join('')}</tbody>
        </table>
        <p class="footnote">latency percentiles exclude failed requests (status ≥ 500)</p>
      </a>`;
}

function row(m: MetricOverview): string {
  return `
          <tr>
            <td class="metric-name" title="${esc(m.metric)}">${esc(m.metric)}</td>
            <td class="n">${num(m.rate)}<small>/s</small></td>
            <td class="n p50">${num(m.p50)}</td>
            <td class="n p95">${num(m.p95)}</td>
            <td class="n p99">${num(m.p99)}</td>
            <td class="n ${m.errorRatio && m.errorRatio > 0.01 ? 'bad' : ''}">${pct(m.errorRatio)}</td>
            <td>${sparkline(m.spark.map((p) => p.p99))}</td>
          </tr>`;
}
