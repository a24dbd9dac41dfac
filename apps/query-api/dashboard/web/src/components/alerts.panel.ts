import type { Alert } from '../api';
import { ago, esc, num } from '../format';

/** Labels every alert of a rule carries: shown in their own columns, not again among the labels. */
const SHOWN_ELSEWHERE = new Set(['alertname', 'service']);

/**
 * Firing and pending alerts as a table (rule, service, labels, value, since), firing first. The
 * API orders them so; sorting again keeps the panel right whatever the order it is given.
 */
export function renderAlerts(el: HTMLElement, alerts: Alert[], title: string): void {
  const sorted = [...alerts].sort((a, b) => rank(a) - rank(b));
  const firing = alerts.filter((a) => a.status === 'firing').length;
  const rows = sorted.map(row).join('');
  el.innerHTML = `
    <h3>${esc(title)} <span class="muted" data-testid="alerts-count">${firing} firing · ${alerts.length - firing} pending</span></h3>
    ${
      sorted.length === 0
        ? `<div class="empty small" data-testid="alerts-empty">No alerts firing</div>`
        : `<table class="metrics alerts-table"><thead><tr><th>rule</th><th>service</th><th>labels</th><th class="n">value</th><th>since</th></tr></thead><tbody>${rows}</tbody></table>`
    }`;
}

const rank = (a: Alert) => (a.status === 'firing' ? 0 : 1);

function row(a: Alert): string {
  const since = a.status === 'firing' ? a.startsAt : a.activeSince;
  const labels = Object.entries(a.labels)
    .filter(([k]) => !SHOWN_ELSEWHERE.has(k))
    .map(([k, v]) => `<span class="label">${esc(k)}=${esc(v)}</span>`)
    .join('');
  return `
      <tr class="alert ${a.status}" data-fingerprint="${esc(a.fingerprint)}" data-status="${a.status}">
        <td><span class="status ${a.status}">${a.status}</span> ${esc(a.ruleName)}${a.silenced ? ' <span class="muted" title="a silence covers it: nobody is notified">silenced</span>' : ''}</td>
        <td>${esc(a.labels.service ?? '—')}</td>
        <td class="labels">${labels}</td>
        <td class="n">${num(a.value)}</td>
        <td class="muted" title="${since === null ? '' : new Date(since).toISOString()}">${since === null ? '—' : ago(since)}</td>
      </tr>`;
}
