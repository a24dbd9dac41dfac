-- Up Migration

-- Alert rules, written by the REST API (source 'api') or loaded from the rules file at the alerting
-- app's start (source 'file'). `spec` is the rule as its author wrote it (AlertRuleSpec). The
-- evaluator notices changes by polling max(updated_at) and count(*).
CREATE TABLE alert_rules (
  id          VARCHAR(64)  PRIMARY KEY,
  name        VARCHAR(200) NOT NULL,
  spec        JSONB        NOT NULL,
  source      VARCHAR(8)   NOT NULL CHECK (source IN ('api', 'file')),
  created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
  updated_at  TIMESTAMPTZ  NOT NULL DEFAULT now()
);

-- The state of one (rule, series). `topic`/`partition` say which aggregate partition feeds it, so an
-- evaluator that is assigned the partition loads exactly the states it owns. Times are event time
-- (epoch ms) except last_notified_at, which drives the repeat interval in wall time.
CREATE TABLE alert_states (
  rule_id          VARCHAR(64)  NOT NULL REFERENCES alert_rules (id) ON DELETE CASCADE,
  series_key       TEXT         NOT NULL,
  fingerprint      VARCHAR(32)  NOT NULL,
  topic            VARCHAR(249) NOT NULL,
  partition        INTEGER      NOT NULL,
  labels           JSONB        NOT NULL,
  annotations      JSONB        NOT NULL,
  status           VARCHAR(10)  NOT NULL CHECK (status IN ('inactive', 'pending', 'firing', 'resolved')),
  value            DOUBLE PRECISION,
  active_since     BIGINT,
  starts_at        BIGINT,
  ends_at          BIGINT,
  last_window_end  BIGINT       NOT NULL,
  last_notified_at TIMESTAMPTZ,
  updated_at       TIMESTAMPTZ  NOT NULL DEFAULT now(),
  PRIMARY KEY (rule_id, series_key)
);
CREATE INDEX alert_states_partition ON alert_states (topic, partition);
CREATE INDEX alert_states_active ON alert_states (status) WHERE status IN ('pending', 'firing');

-- Every transition, for GET /api/v1/alerts/history. Kept when its rule is deleted.
CREATE TABLE alert_history (
  id           BIGSERIAL    PRIMARY KEY,
  rule_id      VARCHAR(64)  NOT NULL,
  rule_name    VARCHAR(200) NOT NULL,
  fingerprint  VARCHAR(32)  NOT NULL,
  labels       JSONB        NOT NULL,
  from_status  VARCHAR(10)  NOT NULL,
  to_status    VARCHAR(10)  NOT NULL,
  value        DOUBLE PRECISION,
  at           BIGINT       NOT NULL,
  recorded_at  TIMESTAMPTZ  NOT NULL DEFAULT now()
);
CREATE INDEX alert_history_recent ON alert_history (id DESC);
CREATE INDEX alert_history_rule ON alert_history (rule_id, id DESC);

-- The outbox: one row per (notification, receiver), written in the same transaction as the state
-- change and the consumer offsets, delivered at least once by the dispatcher. A row is claimed for
-- the length of one delivery attempt (claimed_until), so a dispatcher that dies mid-request leaves
-- it to be sent again, and replicas never send the same row at once.
CREATE TABLE alert_notifications (
  id               BIGSERIAL    PRIMARY KEY,
  rule_id          VARCHAR(64)  NOT NULL,
  fingerprint      VARCHAR(32)  NOT NULL,
  status           VARCHAR(8)   NOT NULL CHECK (status IN ('firing', 'resolved')),
  receiver         TEXT         NOT NULL,
  idempotency_key  TEXT         NOT NULL,
  labels           JSONB        NOT NULL,
  body             JSONB        NOT NULL,
  created_at       TIMESTAMPTZ  NOT NULL DEFAULT now(),
  attempts         INTEGER      NOT NULL DEFAULT 0,
  next_attempt_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
  claimed_until    TIMESTAMPTZ,
  outcome          VARCHAR(10)  NOT NULL DEFAULT 'pending' CHECK (outcome IN ('pending', 'delivered', 'silenced')),
  delivered_at     TIMESTAMPTZ,
  last_error       TEXT
);
CREATE INDEX alert_notifications_due ON alert_notifications (next_attempt_at) WHERE outcome = 'pending';
CREATE INDEX alert_notifications_order ON alert_notifications (fingerprint, receiver, id) WHERE outcome = 'pending';

-- Silences: label matchers plus a time range. Silenced alerts still change state; their
-- notifications are marked 'silenced' instead of being sent.
CREATE TABLE alert_silences (
  id          UUID         PRIMARY KEY,
  matchers    JSONB        NOT NULL,
  starts_at   TIMESTAMPTZ  NOT NULL,
  ends_at     TIMESTAMPTZ  NOT NULL,
  comment     TEXT         NOT NULL DEFAULT '',
  created_by  VARCHAR(200) NOT NULL DEFAULT '',
  created_at  TIMESTAMPTZ  NOT NULL DEFAULT now(),
  CHECK (ends_at > starts_at)
);

-- The evaluator's consumer offsets, committed with the states and the outbox: after a crash it
-- resumes at exactly the record after the last one whose effects are in the database.
CREATE TABLE alert_offsets (
  group_id     VARCHAR(200) NOT NULL,
  topic        VARCHAR(249) NOT NULL,
  partition    INTEGER      NOT NULL,
  next_offset  BIGINT       NOT NULL,
  PRIMARY KEY (group_id, topic, partition)
);

-- Down Migration
DROP TABLE IF EXISTS alert_offsets;
DROP TABLE IF EXISTS alert_silences;
DROP TABLE IF EXISTS alert_notifications;
DROP TABLE IF EXISTS alert_history;
DROP TABLE IF EXISTS alert_states;
DROP TABLE IF EXISTS alert_rules;
