import { rememberKey } from '../api';
import { byId } from '../dom';
import { esc } from '../format';

/** The form asking for a read key; submitting stores it and reloads the page. */
export function renderKeyForm(app: HTMLElement, reason?: string): void {
  app.innerHTML = `
    <form class="panel keyform" id="keyform">
      <h2>StreamMetrics</h2>
      <p class="muted">${reason ? esc(reason) + '. ' : ''}Enter an API key with the <code>read</code> scope (<code>npm run keys -- create --name me --client me --scopes read</code>).</p>
      <input id="key" type="password" autocomplete="off" placeholder="sm_…" />
      <button type="submit">Open dashboard</button>
    </form>`;
  byId<HTMLFormElement>('keyform').onsubmit = (e) => {
    e.preventDefault();
    rememberKey(byId<HTMLInputElement>('key').value.trim());
    location.reload();
  };
}
