import { ApiFailure, forgetKey } from '../api';
import { esc } from '../format';

/** An error in place of `el`'s content; a refused key sends the user back to the key form. */
export function showError(el: HTMLElement, err: unknown, askForKey: (reason?: string) => void): void {
  if (err instanceof ApiFailure && (err.status === 401 || err.status === 403)) {
    forgetKey();
    askForKey(err.message);
    return;
  }
  el.innerHTML = `<div class="empty bad">${esc(err instanceof Error ? err.message : String(err))}</div>`;
}
