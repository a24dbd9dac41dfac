import { api } from '../api';
import { showError } from '../components/error';
import { renderRuleEditor } from '../components/rule-editor';
import { renderRulesTable } from '../components/rules-table';
import { byId } from '../dom';
import { setCrumbs } from '../shell';
import type { PageContext, Teardown } from './page';

/** `#/rules`: the alert rules, and an editor to add one. */
export function rulesPage({ view, askForKey }: PageContext): Teardown {
  setCrumbs(`<a href="#/">Services</a><span class="sep">/</span><span>Alert rules</span>`);
  byId('ranges').innerHTML = '';
  view.innerHTML = `
    <section class="rules">
      <div class="panel rules-panel"><h3>Alert rules</h3><div id="rules" data-testid="rules"><div class="empty small">Loading rules…</div></div></div>
      <div class="panel rules-panel" id="rule-editor"></div>
    </section>`;
  let stopped = false;
  const list = async () => {
    try {
      const { rules } = await api.alertRules();
      if (!stopped) renderRulesTable(byId('rules'), rules);
    } catch (err) {
      if (!stopped) showError(byId('rules'), err, askForKey);
    }
  };
  renderRuleEditor(byId('rule-editor'), () => void list());
  void list();
  return () => {
    stopped = true;
  };
}
