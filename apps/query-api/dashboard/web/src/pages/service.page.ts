import { alertIntervals } from '../alert-intervals';
import { api } from '../api';
import { renderAlerts } from '../components/alerts.panel';
import { showError } from '../components/error';
import { renderMetricSelect } from '../components/metric-select';
import { renderRangePicker } from '../components/range-picker';
import { ServiceCharts } from '../components/service-charts';
import { renderTagBar } from '../components/tag-bar';
import { Tiles } from '../components/tiles';
import { byId } from '../dom';
import { esc } from '../format';
import type { LiveUpdate } from '../live';
import { rangeById } from '../ranges';
import { serviceHref } from '../router';
import { setCrumbs } from '../shell';
import type { PageContext, Teardown } from './page';

/** Coarser windows (5m, 15m) and rollups are re-read this often; live updates carry 1m windows. */
const POLL_MS = 30_000;
/** With tag filters a live update only says "changed": the merged point is re-read at most this often. */
const REFETCH_MS = 3_000;
const SUMMARY_MAX_MS = 31 * 86_400_000;
/** The service's alerts and their marks on the charts are re-read this often. */
const ALERTS_POLL_MS = 10_000;
/** Transitions read for the marks: enough for a day of a flapping alert or two. */
const HISTORY_LIMIT = 500;

/** `#/service/<name>`: one metric of one service over a range, with live updates where they apply. */
export function servicePage(
  { view, live, askForKey }: PageContext,
  service: string,
  params: URLSearchParams,
): Teardown {
  const range = rangeById(params.get('range'));
  const tags = params.getAll('tag');
  const setParams = (change: (p: URLSearchParams) => void) => {
    const p = new URLSearchParams(params);
    change(p);
    location.hash = serviceHref(service, p);
  };
  setCrumbs(`<a href="#/">Services</a><span class="sep">/</span><span>${esc(service)}</span>`);
  const stopRangePicker = renderRangePicker(byId('ranges'), range, (id) =>
    setParams((p) => p.set('range', id)),
  );
  view.innerHTML = `
    <section class="service">
      <div class="toolbar">
        <select id="metric" aria-label="metric"></select>
        <div id="tagbar" class="tagbar"></div>
        <div class="spacer"></div>
        <span id="tiers" class="muted tiers"></span>
      </div>
      <div class="tiles" id="tiles"></div>
      <div class="panel alerts-panel" id="service-alerts" data-testid="service-alerts"><div class="empty small">Loading alerts…</div></div>
      <div class="panel chart-panel"><h3>Latency <span class="muted">p50 · p95 · p99 · ${range.window} windows</span></h3><div id="latency" class="chart" data-testid="latency-chart"></div></div>
      <div class="panel chart-panel"><h3>Throughput <span class="muted">events / s</span></h3><div id="rate" class="chart" data-testid="rate-chart"></div></div>
    </section>`;
  const charts = new ServiceCharts(byId('latency'), byId('rate'));
  const tilesEl = byId('tiles');
  const tiles = new Tiles(tilesEl);
  let stopped = false;
  let subId: string | undefined;
  let refetchTimer: ReturnType<typeof setTimeout> | undefined;

  const load = async () => {
    const { metrics } = await api.metrics(service);
    if (stopped) return;
    const metric = params.get('metric') ?? metrics[0]?.name;
    renderMetricSelect(byId<HTMLSelectElement>('metric'), metrics, metric, (m) =>
      setParams((p) => {
        p.set('metric', m);
        p.delete('tag');
      }),
    );
    if (!metric) {
      tilesEl.innerHTML = `<div class="empty">No metrics for this service.</div>`;
      return;
    }
    void loadTags(metric);
    await Promise.all([loadSeries(metric), loadSummary(metric)]);
    if (range.live && !stopped) subscribe(metric);
  };

  const loadTags = async (metric: string) => {
    const { keys } = await api.tags(service, metric);
    const bar = document.getElementById('tagbar');
    if (!bar) return;
    renderTagBar(bar, keys, tags, (filters) =>
      setParams((p) => {
        p.delete('tag');
        for (const t of filters) p.append('tag', t);
      }),
    );
  };

  const loadSeries = async (metric: string) => {
    const to = Date.now();
    const s = await api.series({
      service,
      metric,
      window: range.window,
      from: to - range.ms,
      to,
      tag: tags,
      stats: 'rate,p50,p95,p99',
    });
    if (stopped) return;
    const pts = s.series[0]?.points ?? [];
    charts.set(pts);
    const hot = pts.filter((p) => p.tier === 'hot').length;
    byId('tiers').textContent =
      `${pts.length} points · ${hot} from Redis (hot) · ${pts.length - hot} from PostgreSQL (cold)`;
    const last = [...pts].reverse().find((p) => p.final) ?? pts[pts.length - 1];
    tiles.setWindow(last ?? {});
  };

  const loadSummary = async (metric: string) => {
    const to = Date.now();
    const s = await api.summary({
      service,
      metric,
      from: to - Math.min(range.ms, SUMMARY_MAX_MS),
      to,
      tag: tags,
      q: '0.5,0.99,0.999',
    });
    if (stopped) return;
    tiles.set('events', s.count, '', `events in ${range.label}`);
    tiles.set('p999', s.quantiles[2]?.value, 'ms', `p99.9 over ${range.label}`);
    tiles.set('max', s.max, 'ms', `max over ${range.label}`);
  };

  const subscribe = (metric: string) => {
    subId = `svc-${Date.now()}`;
    if (tags.length === 0) {
      // The rollup series itself: each update is a point, applied in place.
      live.subscribe({ id: subId, service, metric, window: range.liveWindow, tags: {} }, apply);
    } else {
      // A tag filter merges several series: re-read the merged point (throttled) when one changes.
      live.subscribe({ id: subId, service, window: range.liveWindow }, (u) => {
        if (u.record.metricName !== metric || refetchTimer) return;
        refetchTimer = setTimeout(() => {
          refetchTimer = undefined;
          void loadSeries(metric);
        }, REFETCH_MS);
      });
    }
  };

  const apply = (u: LiveUpdate) => {
    if (stopped) return;
    if (u.window === range.window) charts.apply(u, Date.now() - range.ms);
    if (u.emit === 'final') tiles.setWindow(u.record);
    document.body.dataset.liveUpdates = String(live.updates);
    document.body.dataset.lastUpdate = String(u.record.window.start);
  };

  const loadAlerts = async () => {
    const [{ alerts }, { entries }] = await Promise.all([
      api.alerts({ service }),
      api.alertHistory({ service, limit: HISTORY_LIMIT }),
    ]);
    if (stopped) return;
    renderAlerts(byId('service-alerts'), alerts, 'Alerts');
    charts.setAlerts(alertIntervals(entries, alerts));
  };
  const refreshAlerts = () =>
    loadAlerts().catch((err) => {
      if (!stopped) showError(byId('service-alerts'), err, askForKey);
    });

  load().catch((err) => showError(tilesEl, err, askForKey));
  void refreshAlerts();
  const alertsPoll = setInterval(refreshAlerts, ALERTS_POLL_MS);
  const poll = setInterval(() => {
    const metric = document.querySelector<HTMLSelectElement>('#metric')?.value;
    if (metric && range.window !== range.liveWindow) void loadSeries(metric);
  }, POLL_MS);

  return () => {
    stopped = true;
    clearInterval(poll);
    clearInterval(alertsPoll);
    clearTimeout(refetchTimer);
    if (subId) live.unsubscribe(subId);
    charts.destroy();
    stopRangePicker();
  };
}
