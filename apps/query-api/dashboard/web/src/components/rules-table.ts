import type { AlertRule } from '../api';
import { esc } from '../format';

/** The rules view's list: what each rule watches and when it fires. */
export function renderRulesTable(el: HTMLElement, rules: AlertRule[]): void {
  if (rules.length === 0) {
    el.innerHTML = `<div class="empty small">No alert rules yet. Add one below.</div>`;
    return;
  }
  el.innerHTML = `
    <table class="metrics rules-table">
      <thead><tr><th>rule</th><th>series</th><th>condition</th><th>receivers</th><th>source</th></tr></thead>
      <tbody>${rules.map(row).join('')}</tbody>
    </table>`;
}

function row(r: AlertRule): string {
  const tags = Object.entries(r.tags ?? {}).map(([k, v]) => `${k}=${v === '' ? '*' : v}`);
  const series = [r.service || 'every service', r.metric || 'every metric', ...tags].join(' · ');
  const hold = r.for && r.for !== '0' && r.for !== '0s' ? ` for ${r.for}` : '';
  return `
        <tr data-rule-id="${esc(r.id)}">
          <td>${esc(r.name)}</td>
          <td class="muted">${esc(series)}</td>
          <td><code>${esc(`${r.stat} ${r.op} ${r.threshold}`)}</code> <span class="muted">${esc(`${r.window} ${r.on ?? 'final'}${hold}`)}</span></td>
          <td class="n">${r.receivers.length}</td>
          <td class="muted">${r.source}</td>
        </tr>`;
}
