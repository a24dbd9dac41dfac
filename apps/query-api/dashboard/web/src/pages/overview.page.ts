import { api } from '../api';
import { renderAlerts } from '../components/alerts.panel';
import { renderDeadLetters } from '../components/dead-letters.panel';
import { showError } from '../components/error';
import { renderServiceCards } from '../components/service-cards';
import { byId } from '../dom';
import { setCrumbs } from '../shell';
import type { PageContext, Teardown } from './page';

const REFRESH_MS = 5_000;

/**
 * `#/`: the firing alerts, every live service as a card, and the dead-letter panel; re-read every
 * few seconds. The alerts are read on their own, so a failing alerting read never blanks the cards.
 */
export function overviewPage({ view, askForKey }: PageContext): Teardown {
  setCrumbs(`<span>Services</span>`);
  byId('ranges').innerHTML = '';
  view.innerHTML = `
    <section id="alerts" class="panel alerts-panel" data-testid="alerts-panel"><div class="empty small">Loading alerts…</div></section>
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
  const refreshAlerts = async () => {
    try {
      const { alerts } = await api.alerts();
      if (!stopped) renderAlerts(byId('alerts'), alerts, 'Firing alerts');
    } catch (err) {
      if (!stopped) showError(byId('alerts'), err, askForKey);
    }
  };
  const tick = () => Promise.all([refresh(), refreshAlerts()]);
  void tick();
  const timer = setInterval(tick, REFRESH_MS);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
