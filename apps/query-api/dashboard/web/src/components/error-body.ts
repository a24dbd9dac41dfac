import { ApiFailure } from '../api';
import { esc } from '../format';

/**
 * A failed request as the server answered it: status, code, message and every problem. Unlike
 * showError it keeps the page's key: a write refused for scope says nothing about reading.
 */
export function renderErrorBody(el: HTMLElement, err: unknown): void {
  if (!(err instanceof ApiFailure)) {
    el.innerHTML = `<div class="error-body" data-testid="error-body"><strong>${esc(String(err instanceof Error ? err.message : err))}</strong></div>`;
    return;
  }
  const problems = err.body?.error.problems ?? [];
  const hint =
    err.status === 403
      ? `<p class="muted">Adding a rule needs a key with the <code>admin</code> scope; the page's key is read-only. Enter an admin key above.</p>`
      : '';
  el.innerHTML = `
    <div class="error-body" data-testid="error-body" data-status="${err.status}">
      <strong>${err.status} ${esc(err.code)}</strong> ${esc(err.message)}
      ${problems.length ? `<ul>${problems.map((p) => `<li><code>${esc(p.field)}</code> ${esc(p.message)}</li>`).join('')}</ul>` : ''}
      ${hint}
      <pre>${esc(JSON.stringify(err.body ?? { status: err.status }, null, 2))}</pre>
    </div>`;
}
