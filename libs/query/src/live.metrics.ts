import { Counter, Gauge, type Registry } from 'prom-client';
import type { LiveSessions } from './live.sessions';

/**
 * The live fan-out's gauges and counters, read at scrape time from the session table and the
 * connection counts: nothing is updated per delivered message.
 */
export function registerLiveMetrics(
  registry: Registry,
  sessions: LiveSessions,
  openConnections: () => number,
): void {
  const gauge = (name: string, help: string, value: () => number) =>
    new Gauge({
      name,
      help,
      registers: [registry],
      collect() {
        this.set(value());
      },
    });
  gauge('streammetrics_query_ws_connections', 'Open WebSocket connections', openConnections);
  gauge(
    'streammetrics_query_ws_sessions',
    'Live WebSocket sessions (attached or awaiting resume)',
    () => sessions.size,
  );
  gauge(
    'streammetrics_query_ws_pending_updates',
    'Coalesced updates waiting for slow clients',
    () => sessions.pendingCount,
  );
  gauge(
    'streammetrics_query_ws_buffered_bytes',
    'Bytes queued in the sockets of live sessions',
    () => sessions.bufferedBytes,
  );
  // Monotonic totals the session table keeps itself: counters by type (Prometheus' rate() needs
  // that), read at scrape time like the gauges.
  const counter = (name: string, help: string, value: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(value());
      },
    });
  const s = sessions.stats;
  counter('streammetrics_query_ws_updates_sent_total', 'Live updates sent', () => s.sent);
  counter(
    'streammetrics_query_ws_updates_coalesced_total',
    'Live updates replaced by a newer one of the same series',
    () => s.coalesced,
  );
  counter(
    'streammetrics_query_ws_updates_dropped_total',
    'Live updates dropped: too many series waiting',
    () => s.dropped,
  );
}
