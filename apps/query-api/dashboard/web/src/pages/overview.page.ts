import { api } from '../api';
import { renderDeadLetters } from '../components/dead-letters.panel';
import { showError } from '../components/error';
import { renderServiceCards } from '../components/service-cards';
import { byId } from '../dom';
import { setCrumbs } from '../shell';
import type { PageContext, Teardown } from './page';

const REFRESH_MS = 5_000;

/** `#/`: every live service as a card, and the dead-letter panel; re-read every few seconds. */
export function overviewPage({ view, askForKey }: PageContext): Teardown {
  setCrumbs(`<span>Services</span>`);
  byId('ranges').innerHTML = '';
  view.innerHTML = `
    <section class="grid-overview">
      <div id="services" class="services"><div class="empty">Loading services…</div></div>
      <aside id="dlq" class="panel dlq"></aside>
    </section>`;
  let stopped = false;
  const refresh = async () => {
    try {
      const [{ services }, dlq] = await Promise.all([
        api.overview(),
        api.deadLetters({ limit: 12, minutes: 60 }),
      ]);
      if (stopped) return;
      renderServiceCards(byId('services'), services);
      renderDeadLetters(byId('dlq'), dlq);
    } catch (err) {
      if (!stopped) showError(byId('services'), err, askForKey);
    }
  };
  void refresh();
  const timer = setInterval(refresh, REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
