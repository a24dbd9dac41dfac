/** The dashboard's entry: the key check, the page frame and the hash router. */
import './styles.css';
import { apiKey, pageConfig } from './api';
import { renderKeyForm } from './components/key-form';
import { byId } from './dom';
import { LiveClient } from './live';
import { overviewPage } from './pages/overview.page';
import type { PageContext, Teardown } from './pages/page';
import { rulesPage } from './pages/rules.page';
import { servicePage } from './pages/service.page';
import { currentRoute } from './router';
import { renderShell } from './shell';

const app = byId('app');
const live = new LiveClient(pageConfig().livePath);
const askForKey = (reason?: string) => renderKeyForm(app, reason);
let teardown: Teardown | undefined;

function navigate(): void {
  teardown?.();
  const r = currentRoute();
  const ctx: PageContext = { view: byId('view'), live, askForKey };
  teardown =
    r.page === 'service'
      ? servicePage(ctx, r.service, r.params)
      : r.page === 'rules'
        ? rulesPage(ctx)
        : overviewPage(ctx);
}

if (!apiKey()) askForKey();
else {
  renderShell(app, live);
  live.start();
  window.addEventListener('hashchange', navigate);
  navigate();
}
