import type { AlertRule, AlertRuleSpec } from '../api';
import { api } from '../api';
import { byId } from '../dom';
import { esc } from '../format';
import { renderErrorBody } from './error-body';

const EXAMPLE: AlertRuleSpec = {
  name: 'payment p99 over 500 ms',
  service: 'payment-service',
  metric: 'api.request.duration',
  window: '1m',
  stat: 'p99',
  op: '>',
  threshold: 500,
  for: '2m',
  labels: { severity: 'page' },
  annotations: { summary: '{{service}} p99 {{value}} ms (threshold {{threshold}})' },
  receivers: ['http://127.0.0.1:9095/alerts'],
};

/**
 * A JSON editor for a new rule (an AlertRuleSpec) and the admin key to send it with: the page's
 * own key is read-only, so the write may need another one. The key stays in this form only.
 */
export function renderRuleEditor(el: HTMLElement, onCreated: (rule: AlertRule) => void): void {
  el.innerHTML = `
    <form id="rule-form" class="rule-form">
      <h3>Add a rule <span class="muted">JSON, the fields of docs/CONTRACTS.md "Alerting"</span></h3>
      <textarea id="rule-json" spellcheck="false" rows="16">${esc(JSON.stringify(EXAMPLE, null, 2))}</textarea>
      <div class="row">
        <input id="admin-key" type="password" autocomplete="off" placeholder="admin key (empty: the page's key)" />
        <button type="submit">Add rule</button>
      </div>
      <div id="rule-result" data-testid="rule-result"></div>
    </form>`;
  const result = byId('rule-result');
  byId<HTMLFormElement>('rule-form').onsubmit = async (e) => {
    e.preventDefault();
    let spec: unknown;
    try {
      spec = JSON.parse(byId<HTMLTextAreaElement>('rule-json').value);
    } catch (err) {
      renderErrorBody(result, new Error(`not JSON: ${(err as Error).message}`));
      return;
    }
    try {
      const rule = await api.createRule(spec, byId<HTMLInputElement>('admin-key').value.trim());
      result.innerHTML = `<div class="ok" data-testid="rule-created">Added <strong>${esc(rule.name)}</strong> (${esc(rule.id)}).</div>`;
      onCreated(rule);
    } catch (err) {
      renderErrorBody(result, err);
    }
  };
}
