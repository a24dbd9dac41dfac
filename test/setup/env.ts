// Tests run in UTC so local time cannot leak in: window boundaries and partitions are computed in UTC.
process.env.TZ = 'UTC';
// The apps under test run one HTTP worker unless a spec asks for more: per-process limits (the
// query API's per-key rates, WebSocket connections) are asserted per process.
process.env.GATEWAY_WORKERS ??= '1';
process.env.QUERY_WORKERS ??= '1';
