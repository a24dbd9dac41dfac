-- Up Migration

-- rollup_state keys carry an optional namespace (tests run their own watermarks next to the
-- production '1h' / '1d' rows), so the 8-character key of the initial schema is too short.
ALTER TABLE rollup_state ALTER COLUMN resolution TYPE VARCHAR(64);

-- Buckets whose inputs changed after they were rolled up: a final 1m window that reached the sink
-- late (a PostgreSQL outage, a lagging consumer) marks its hour here, and the rollup job rebuilds it
-- (and then its day). Without this, an hour rolled up before its last finals arrived would stay short.
CREATE TABLE rollup_dirty (
  resolution  VARCHAR(64) NOT NULL,
  bucket      TIMESTAMPTZ NOT NULL,
  marked_at   TIMESTAMPTZ NOT NULL DEFAULT now(),
  PRIMARY KEY (resolution, bucket)
);

-- Down Migration
DROP TABLE IF EXISTS rollup_dirty;
ALTER TABLE rollup_state ALTER COLUMN resolution TYPE VARCHAR(8);
