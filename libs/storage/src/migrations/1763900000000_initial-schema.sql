-- Up Migration

-- Window results (docs/CONTRACTS.md "Storage"). "timestamp" is the window start, kept under the
-- seed design's name; the unique key makes every write an upsert, and partitions by day make
-- retention a partition drop.
CREATE TABLE metric_aggregates (
  "timestamp"   TIMESTAMPTZ      NOT NULL,
  service_id    VARCHAR(200)     NOT NULL,
  metric_name   VARCHAR(200)     NOT NULL,
  window_size   VARCHAR(16)      NOT NULL,
  window_start  TIMESTAMPTZ      NOT NULL,
  window_end    TIMESTAMPTZ      NOT NULL,
  count         BIGINT           NOT NULL,
  sum           DOUBLE PRECISION NOT NULL,
  avg           DOUBLE PRECISION,
  min           DOUBLE PRECISION,
  max           DOUBLE PRECISION,
  rate          DOUBLE PRECISION,
  p50           DOUBLE PRECISION,
  p95           DOUBLE PRECISION,
  p99           DOUBLE PRECISION,
  tags          JSONB            NOT NULL DEFAULT '{}'::jsonb,
  tags_hash     VARCHAR(32)      NOT NULL,
  digest        BYTEA,
  is_final      BOOLEAN          NOT NULL DEFAULT false,
  stream_time   BIGINT           NOT NULL,
  emitted_at    TIMESTAMPTZ,
  created_at    TIMESTAMPTZ      NOT NULL DEFAULT now(),
  updated_at    TIMESTAMPTZ      NOT NULL DEFAULT now(),
  PRIMARY KEY (service_id, metric_name, tags_hash, window_size, "timestamp")
) PARTITION BY RANGE ("timestamp");

CREATE INDEX idx_metrics_lookup ON metric_aggregates (service_id, metric_name, "timestamp" DESC);
CREATE INDEX idx_metrics_tags ON metric_aggregates USING GIN (tags);

-- Hourly and daily rollups, built by merging the 1m digests. Same shape, coarser partitions.
CREATE TABLE metric_rollups_hourly (LIKE metric_aggregates INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE ("timestamp");
ALTER TABLE metric_rollups_hourly ADD PRIMARY KEY (service_id, metric_name, tags_hash, window_size, "timestamp");
CREATE INDEX idx_rollups_hourly_lookup ON metric_rollups_hourly (service_id, metric_name, "timestamp" DESC);
CREATE INDEX idx_rollups_hourly_tags ON metric_rollups_hourly USING GIN (tags);

CREATE TABLE metric_rollups_daily (LIKE metric_aggregates INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
  PARTITION BY RANGE ("timestamp");
ALTER TABLE metric_rollups_daily ADD PRIMARY KEY (service_id, metric_name, tags_hash, window_size, "timestamp");
CREATE INDEX idx_rollups_daily_lookup ON metric_rollups_daily (service_id, metric_name, "timestamp" DESC);
CREATE INDEX idx_rollups_daily_tags ON metric_rollups_daily USING GIN (tags);

-- How far each rollup has been built, so a restarted sink catches up instead of starting over.
CREATE TABLE rollup_state (
  resolution  VARCHAR(8)  PRIMARY KEY,
  done_until  TIMESTAMPTZ NOT NULL,
  updated_at  TIMESTAMPTZ NOT NULL DEFAULT now()
);

-- API keys for the gateway and the query API. Only a hash of the key is stored.
CREATE TABLE api_keys (
  id              UUID         PRIMARY KEY,
  name            VARCHAR(200) NOT NULL,
  client_id       VARCHAR(200) NOT NULL,
  key_prefix      VARCHAR(16)  NOT NULL,
  key_hash        VARCHAR(128) NOT NULL UNIQUE,
  scopes          TEXT[]       NOT NULL,
  rate_per_second INTEGER,
  created_at      TIMESTAMPTZ  NOT NULL DEFAULT now(),
  revoked_at      TIMESTAMPTZ
);

-- Creates (once) the range partition of `parent` that holds `ts`, one `unit` (day, month, year)
-- wide, named parent_YYYYMMDD / _YYYYMM / _YYYY. The advisory lock makes concurrent callers safe.
CREATE FUNCTION sm_ensure_partition(parent TEXT, unit TEXT, ts TIMESTAMPTZ) RETURNS TEXT
LANGUAGE plpgsql AS $$
DECLARE
  start_ts TIMESTAMPTZ := date_trunc(unit, ts, 'UTC');
  end_ts   TIMESTAMPTZ := start_ts + ('1 ' || unit)::interval;
  part     TEXT := parent || '_' || to_char(start_ts AT TIME ZONE 'UTC',
                     CASE unit WHEN 'day' THEN 'YYYYMMDD' WHEN 'month' THEN 'YYYYMM' ELSE 'YYYY' END);
BEGIN
  IF unit NOT IN ('day', 'month', 'year') THEN
    RAISE EXCEPTION 'sm_ensure_partition: unit must be day, month or year, got %', unit;
  END IF;
  PERFORM pg_advisory_xact_lock(hashtext(part));
  IF to_regclass(part) IS NULL THEN
    EXECUTE format('CREATE TABLE %I PARTITION OF %I FOR VALUES FROM (%L) TO (%L)', part, parent, start_ts, end_ts);
  END IF;
  RETURN part;
END $$;

-- Down Migration
DROP FUNCTION IF EXISTS sm_ensure_partition(TEXT, TEXT, TIMESTAMPTZ);
DROP TABLE IF EXISTS api_keys;
DROP TABLE IF EXISTS rollup_state;
DROP TABLE IF EXISTS metric_rollups_daily;
DROP TABLE IF EXISTS metric_rollups_hourly;
DROP TABLE IF EXISTS metric_aggregates;
