import './styles.css';
import {
  ApiFailure,
  apiKey,
  forgetKey,
  get,
  rememberKey,
  type DeadLettersResponse,
  type Named,
  type SeriesResponse,
  type ServiceOverview,
  type SummaryResponse,
} from './api';
import { TimeChart } from './chart';
import { ago, esc, num, pct, sparkline, time } from './format';
import { LiveClient, type LiveState, type LiveUpdate } from './live';

interface Range {
  id: string;
  label: string;
  ms: number;
  window: string;
  live: boolean;
}

/** Each range picks the window size that gives a readable number of points. */
const RANGES: Range[] = [
  { id: '15m', label: '15m', ms: 15 * 60_000, window: '1m-hop10s', live: true },
  { id: '1h', label: '1h', ms: 3_600_000, window: '1m', live: true },
  { id: '6h', label: '6h', ms: 6 * 3_600_000, window: '5m', live: true },
  { id: '24h', label: '24h', ms: 86_400_000, window: '15m', live: true },
  { id: '7d', label: '7d', ms: 7 * 86_400_000, window: '1h', live: false },
  { id: '30d', label: '30d', ms: 30 * 86_400_000, window: '1d', live: false },
];

const COLORS = { p50: '#5eead4', p95: '#fbbf24', p99: '#f472b6', rate: '#60a5fa' };
const app = document.getElementById('app') as HTMLElement;
const live = new LiveClient(window.__STREAMMETRICS__?.livePath ?? '/api/v1/live');
let teardown: (() => void) | undefined;

function shell(): void {
  app.innerHTML = `
    <header class="top">
      <a class="brand" href="#/"><svg viewBox="0 0 16 16" width="18" height="18"><path d="M1 12l4-5 3 3 4-7 3 4" fill="none" stroke="#5eead4" stroke-width="2"/></svg>StreamMetrics</a>
      <nav id="crumbs" class="crumbs"></nav>
      <div class="spacer"></div>
      <div id="ranges" class="ranges" role="group" aria-label="time range"></div>
      <div id="live" class="live" data-state="connecting"><span class="dot"></span><span id="live-label">connecting</span></div>
      <div id="clock" class="clock"></div>
    </header>
    <main id="view"></main>`;
  const clock = document.getElementById('clock') as HTMLElement;
  const tick = () =>
    (clock.textContent = new Date().toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  tick();
  setInterval(tick, 10_000);
  live.onState((s: LiveState) => {
    const el = document.getElementById('live') as HTMLElement;
    el.dataset.state = s;
    (document.getElementById('live-label') as HTMLElement).textContent = s;
  });
}

function route(): { page: 'overview' } | { page: 'service'; service: string; params: URLSearchParams } {
  const [path, query] = location.hash.replace(/^#/, '').split('?');
  const m = /^\/service\/([^/]+)$/.exec(path ?? '');
  if (m)
    return {
      page: 'service',
      service: decodeURIComponent(m[1] as string),
      params: new URLSearchParams(query),
    };
  return { page: 'overview' };
}

function navigate(): void {
  teardown?.();
  teardown = undefined;
  const r = route();
  const view = document.getElementById('view') as HTMLElement;
  if (r.page === 'service') teardown = servicePage(view, r.service, r.params);
  else teardown = overviewPage(view);
}

// ---------------------------------------------------------------- overview

function overviewPage(view: HTMLElement): () => void {
  (document.getElementById('crumbs') as HTMLElement).innerHTML = `<span>Services</span>`;
  (document.getElementById('ranges') as HTMLElement).innerHTML = '';
  view.innerHTML = `
    <section class="grid-overview">
      <div id="services" class="services"><div class="empty">Loading services…</div></div>
      <aside id="dlq" class="panel dlq"></aside>
    </section>`;
  let stopped = false;
  const refresh = async () => {
    try {
      const [{ services }, dlq] = await Promise.all([
        get<{ services: ServiceOverview[] }>('/api/v1/overview'),
        get<DeadLettersResponse>('/api/v1/dead-letters', { limit: 12, minutes: 60 }),
      ]);
      if (stopped) return;
      renderServices(document.getElementById('services') as HTMLElement, services);
      renderDeadLetters(document.getElementById('dlq') as HTMLElement, dlq);
    } catch (err) {
      if (!stopped) showError(document.getElementById('services') as HTMLElement, err);
    }
  };
  void refresh();
  const timer = setInterval(refresh, 5_000);
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}

function renderServices(el: HTMLElement, services: ServiceOverview[]): void {
  if (services.length === 0) {
    el.innerHTML = `<div class="empty">No service has reported in the last hour. Start the fleet: <code>npm start</code>.</div>`;
    return;
  }
  el.innerHTML = services
    .map((s) => {
      const errors = s.metrics.reduce((a, m) => Math.max(a, m.errorRatio ?? 0), 0);
      const rows = s.metrics
        .map(
          (m) => `
          <tr>
            <td class="metric-name" title="${esc(m.metric)}">${esc(m.metric)}</td>
            <td class="n">${num(m.rate)}<small>/s</small></td>
            <td class="n p50">${num(m.p50)}</td>
            <td class="n p95">${num(m.p95)}</td>
            <td class="n p99">${num(m.p99)}</td>
            <td class="n ${m.errorRatio && m.errorRatio > 0.01 ? 'bad' : ''}">${pct(m.errorRatio)}</td>
            <td>${sparkline(m.spark.map((p) => p.p99))}</td>
          </tr>`,
        )
        .join('');
      return `
      <a class="panel card" href="#/service/${encodeURIComponent(s.service)}" data-service="${esc(s.service)}">
        <div class="card-head">
          <h2>${esc(s.service)}</h2>
          <span class="muted">${ago(s.lastSeen)}</span>
        </div>
        <div class="kpis">
          <div><label>throughput</label><strong>${num(s.rate)}</strong><small>ev/s</small></div>
          <div><label>errors</label><strong class="${errors > 0.01 ? 'bad' : 'good'}">${pct(errors)}</strong></div>
          <div><label>metrics</label><strong>${s.metrics.length}</strong></div>
        </div>
        <table class="metrics">
          <thead><tr><th>metric</th><th class="n">rate</th><th class="n">p50</th><th class="n">p95</th><th class="n">p99</th><th class="n">err</th><th>p99 · 30m</th></tr></thead>
          <tbody>${rows}</tbody>
        </table>
        <p class="footnote">latency percentiles exclude failed requests (status ≥ 500)</p>
      </a>`;
    })
    .join('');
}

function renderDeadLetters(el: HTMLElement, d: DeadLettersResponse): void {
  const total = Object.values(d.totals).reduce((a, b) => a + b, 0);
  const max = Math.max(1, ...d.perMinute.map((m) => Object.values(m.counts).reduce((a, b) => a + b, 0)));
  const bars = d.perMinute
    .map((m) => {
      const n = Object.values(m.counts).reduce((a, b) => a + b, 0);
      const late = m.counts.LATE_EVENT ?? 0;
      return `<span class="bar" title="${time(m.minute)}: ${n}" style="height:${(n / max) * 100}%"><span class="late" style="height:${n ? (late / n) * 100 : 0}%"></span></span>`;
    })
    .join('');
  const reasons = Object.entries(d.totals)
    .sort((a, b) => b[1] - a[1])
    .map(
      ([r, n]) =>
        `<li><span class="reason ${r === 'LATE_EVENT' ? 'late' : ''}">${esc(r)}</span><span class="n">${n}</span></li>`,
    )
    .join('');
  const recent = d.recent
    .map(
      (x) => `
      <li>
        <div class="row"><span class="reason ${x.reason === 'LATE_EVENT' ? 'late' : ''}">${esc(x.reason)}</span><span class="muted">${ago(x.time)}</span></div>
        <div class="err">${esc(x.error)}</div>
        <code>${esc(x.valuePreview.slice(0, 120))}</code>
      </li>`,
    )
    .join('');
  el.innerHTML = `
    <h3>Dead letters <span class="muted">last 60 min</span></h3>
    <div class="kpis small">
      <div><label>total</label><strong data-testid="dlq-total">${total}</strong></div>
      <div><label>late events</label><strong class="${d.late ? 'warn' : ''}">${d.late}</strong></div>
    </div>
    <div class="bars">${bars}</div>
    <ul class="reasons">${reasons || '<li class="muted">nothing dead-lettered</li>'}</ul>
    <ul class="recent">${recent}</ul>`;
}

// ---------------------------------------------------------------- service page

function servicePage(view: HTMLElement, service: string, params: URLSearchParams): () => void {
  const range = RANGES.find((r) => r.id === params.get('range')) ?? (RANGES[1] as Range);
  const tags = params.getAll('tag');
  const setParams = (change: (p: URLSearchParams) => void) => {
    const p = new URLSearchParams(params);
    change(p);
    location.hash = `#/service/${encodeURIComponent(service)}?${p}`;
  };
  (document.getElementById('crumbs') as HTMLElement).innerHTML =
    `<a href="#/">Services</a><span class="sep">/</span><span>${esc(service)}</span>`;
  const ranges = document.getElementById('ranges') as HTMLElement;
  ranges.innerHTML = RANGES.map(
    (r) =>
      `<button data-range="${r.id}" class="${r.id === range.id ? 'on' : ''}" title="${r.window} windows">${r.label}</button>`,
  ).join('');
  ranges.onclick = (e) => {
    const id = (e.target as HTMLElement).dataset.range;
    if (id) setParams((p) => p.set('range', id));
  };
  view.innerHTML = `
    <section class="service">
      <div class="toolbar">
        <select id="metric" aria-label="metric"></select>
        <div id="tagbar" class="tagbar"></div>
        <div class="spacer"></div>
        <span id="tiers" class="muted tiers"></span>
      </div>
      <div class="tiles" id="tiles"></div>
      <div class="panel chart-panel"><h3>Latency <span class="muted">p50 · p95 · p99 · ${range.window} windows</span></h3><div id="latency" class="chart" data-testid="latency-chart"></div></div>
      <div class="panel chart-panel"><h3>Throughput <span class="muted">events / s</span></h3><div id="rate" class="chart" data-testid="rate-chart"></div></div>
    </section>`;
  const latency = new TimeChart(
    document.getElementById('latency') as HTMLElement,
    [
      { label: 'p50', color: COLORS.p50 },
      { label: 'p95', color: COLORS.p95 },
      { label: 'p99', color: COLORS.p99 },
    ],
    'ms',
  );
  const rate = new TimeChart(
    document.getElementById('rate') as HTMLElement,
    [{ label: 'rate', color: COLORS.rate, fill: true }],
    '/s',
    180,
  );
  let stopped = false;
  let subId: string | undefined;
  let refetchTimer: ReturnType<typeof setTimeout> | undefined;

  const load = async () => {
    const { metrics } = await get<{ metrics: Named[] }>(
      `/api/v1/services/${encodeURIComponent(service)}/metrics`,
    );
    if (stopped) return;
    const metric = params.get('metric') ?? metrics[0]?.name;
    const select = document.getElementById('metric') as HTMLSelectElement;
    select.innerHTML = metrics
      .map((m) => `<option ${m.name === metric ? 'selected' : ''}>${esc(m.name)}</option>`)
      .join('');
    select.onchange = () =>
      setParams((p) => {
        p.set('metric', select.value);
        p.delete('tag');
      });
    if (!metric) {
      (document.getElementById('tiles') as HTMLElement).innerHTML =
        `<div class="empty">No metrics for this service.</div>`;
      return;
    }
    void loadTags(service, metric, tags, setParams);
    await Promise.all([loadSeries(metric), loadSummary(metric)]);
    if (range.live && !stopped) subscribe(metric);
  };

  const loadSeries = async (metric: string) => {
    const to = Date.now();
    const s = await get<SeriesResponse>('/api/v1/series', {
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
    latency.set(
      pts.map((p) => p.start),
      [pts.map((p) => p.p50 ?? null), pts.map((p) => p.p95 ?? null), pts.map((p) => p.p99 ?? null)],
    );
    rate.set(
      pts.map((p) => p.start),
      [pts.map((p) => p.rate ?? null)],
    );
    const hot = pts.filter((p) => p.tier === 'hot').length;
    (document.getElementById('tiers') as HTMLElement).textContent =
      `${pts.length} points · ${hot} from Redis (hot) · ${pts.length - hot} from PostgreSQL (cold)`;
    const last = [...pts].reverse().find((p) => p.final) ?? pts[pts.length - 1];
    setTile('rate', last?.rate, '/s');
    setTile('p50', last?.p50, 'ms');
    setTile('p95', last?.p95, 'ms');
    setTile('p99', last?.p99, 'ms');
  };

  const loadSummary = async (metric: string) => {
    const to = Date.now();
    const s = await get<SummaryResponse>('/api/v1/summary', {
      service,
      metric,
      from: to - Math.min(range.ms, 31 * 86_400_000),
      to,
      tag: tags,
      q: '0.5,0.99,0.999',
    });
    if (stopped) return;
    setTile('events', s.count, '', `events in ${range.label}`);
    setTile('p999', s.quantiles[2]?.value, 'ms', `p99.9 over ${range.label}`);
    setTile('max', s.max, 'ms', `max over ${range.label}`);
  };

  const tiles = document.getElementById('tiles') as HTMLElement;
  const tileLabels: Record<string, string> = {
    rate: 'throughput',
    p50: 'p50',
    p95: 'p95',
    p99: 'p99',
    events: 'events',
    p999: 'p99.9',
    max: 'max',
  };
  tiles.innerHTML = Object.entries(tileLabels)
    .map(
      ([k, l]) =>
        `<div class="panel tile ${k}" id="tile-${k}"><label>${l}</label><strong>—</strong><small></small></div>`,
    )
    .join('');
  function setTile(k: string, v: number | null | undefined, unit: string, label?: string) {
    const el = document.getElementById(`tile-${k}`);
    if (!el) return;
    (el.querySelector('strong') as HTMLElement).textContent = num(v);
    (el.querySelector('small') as HTMLElement).textContent = unit;
    if (label) (el.querySelector('label') as HTMLElement).textContent = label;
  }

  const subscribe = (metric: string) => {
    subId = `svc-${Date.now()}`;
    if (tags.length === 0) {
      // The rollup series itself: each update is a point, applied in place.
      live.subscribe(
        { id: subId, service, metric, window: range.window === '1m-hop10s' ? '1m-hop10s' : '1m', tags: {} },
        (u) => apply(u),
      );
    } else {
      // A tag filter merges several series: re-read the merged point (throttled) when one changes.
      live.subscribe({ id: subId, service, window: '1m' }, (u) => {
        if (u.record.metricName !== metric || refetchTimer) return;
        refetchTimer = setTimeout(() => {
          refetchTimer = undefined;
          void loadSeries(metric);
        }, 3_000);
      });
    }
  };

  const apply = (u: LiveUpdate) => {
    if (stopped) return;
    const r = u.record;
    const keepFrom = Date.now() - range.ms;
    if (u.window === range.window) {
      latency.upsert(r.window.start, [r.p50, r.p95, r.p99], keepFrom);
      rate.upsert(r.window.start, [r.rate], keepFrom);
    }
    if (u.emit === 'final') {
      setTile('rate', r.rate, '/s');
      setTile('p50', r.p50, 'ms');
      setTile('p95', r.p95, 'ms');
      setTile('p99', r.p99, 'ms');
    }
    document.body.dataset.liveUpdates = String(live.updates);
    document.body.dataset.lastUpdate = String(r.window.start);
  };

  load().catch((err) => showError(tiles, err));
  // Coarser windows (5m, 15m) and rollups are re-read periodically; live updates carry 1m windows.
  const poll = setInterval(() => {
    const metric = (document.getElementById('metric') as HTMLSelectElement | null)?.value;
    if (metric && range.window !== '1m' && range.window !== '1m-hop10s') void loadSeries(metric);
  }, 30_000);

  return () => {
    stopped = true;
    clearInterval(poll);
    clearTimeout(refetchTimer);
    if (subId) live.unsubscribe(subId);
    latency.destroy();
    rate.destroy();
    ranges.onclick = null;
  };
}

async function loadTags(
  service: string,
  metric: string,
  active: string[],
  setParams: (f: (p: URLSearchParams) => void) => void,
) {
  const { keys } = await get<{ keys: Record<string, string[]> }>(
    `/api/v1/services/${encodeURIComponent(service)}/metrics/${encodeURIComponent(metric)}/tags`,
  );
  const bar = document.getElementById('tagbar');
  if (!bar) return;
  const activeByKey = new Map(active.map((t) => [t.slice(0, t.indexOf(':')), t.slice(t.indexOf(':') + 1)]));
  bar.innerHTML = Object.entries(keys)
    .map(([k, values]) => {
      const cur = activeByKey.get(k);
      return `<label class="tag ${cur !== undefined ? 'on' : ''}"><span>${esc(k)}</span><select data-key="${esc(k)}">
        <option value="">all</option>${values.map((v) => `<option ${v === cur ? 'selected' : ''} value="${esc(v)}">${esc(v)}</option>`).join('')}
      </select></label>`;
    })
    .join('');
  bar.onchange = (e) => {
    const sel = e.target as HTMLSelectElement;
    const key = sel.dataset.key as string;
    setParams((p) => {
      const rest = p.getAll('tag').filter((t) => !t.startsWith(`${key}:`));
      p.delete('tag');
      for (const t of rest) p.append('tag', t);
      if (sel.value) p.append('tag', `${key}:${sel.value}`);
    });
  };
}

function showError(el: HTMLElement, err: unknown): void {
  if (err instanceof ApiFailure && (err.status === 401 || err.status === 403)) {
    forgetKey();
    askForKey(err.message);
    return;
  }
  el.innerHTML = `<div class="empty bad">${esc(err instanceof Error ? err.message : String(err))}</div>`;
}

function askForKey(reason?: string): void {
  app.innerHTML = `
    <form class="panel keyform" id="keyform">
      <h2>StreamMetrics</h2>
      <p class="muted">${reason ? esc(reason) + '. ' : ''}Enter an API key with the <code>read</code> scope (<code>npm run keys -- create --name me --client me --scopes read</code>).</p>
      <input id="key" type="password" autocomplete="off" placeholder="sm_…" />
      <button type="submit">Open dashboard</button>
    </form>`;
  (document.getElementById('keyform') as HTMLFormElement).onsubmit = (e) => {
    e.preventDefault();
    rememberKey((document.getElementById('key') as HTMLInputElement).value.trim());
    location.reload();
  };
}

if (!apiKey()) askForKey();
else {
  shell();
  live.start();
  window.addEventListener('hashchange', navigate);
  navigate();
}
