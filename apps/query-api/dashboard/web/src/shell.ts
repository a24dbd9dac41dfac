import { byId } from './dom';
import type { LiveClient, LiveState } from './live';

/** The page frame: brand, breadcrumbs, range picker slot, live indicator and clock; pages fill #view. */
export function renderShell(app: HTMLElement, live: LiveClient): void {
  app.innerHTML = `
    <header class="top">
      <a class="brand" href="#/"><svg viewBox="0 0 16 16" width="18" height="18"><path d="M1 12l4-5 3 3 4-7 3 4" fill="none" stroke="#5eead4" stroke-width="2"/></svg>StreamMetrics</a>
      <nav id="crumbs" class="crumbs"></nav>
      <div class="spacer"></div>
      <a class="nav-link" href="#/rules">Alert rules</a>
      <div id="ranges" class="ranges" role="group" aria-label="time range"></div>
      <div id="live" class="live" data-state="connecting"><span class="dot"></span><span id="live-label">connecting</span></div>
      <div id="clock" class="clock"></div>
    </header>
    <main id="view"></main>`;
  const clock = byId('clock');
  const tick = () =>
    (clock.textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  tick();
  setInterval(tick, 10_000);
  live.onState((s: LiveState) => {
    byId('live').dataset.state = s;
    byId('live-label').textContent = s;
  });
}

/** Breadcrumbs, as trusted markup (callers escape names). */
export function setCrumbs(html: string): void {
  byId('crumbs').innerHTML = html;
}
