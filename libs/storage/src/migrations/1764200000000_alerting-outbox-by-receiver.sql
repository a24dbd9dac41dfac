-- Up Migration

-- The dispatcher claims per receiver: the receivers with pending rows are walked through this index
-- (a loose index scan), then each one's due rows, soonest first. A backlog of one dead receiver then
-- costs the others nothing (with a single index on next_attempt_at, every claim walked the backlog).
CREATE INDEX alert_notifications_receiver_due ON alert_notifications (receiver, next_attempt_at)
  WHERE outcome = 'pending';

-- Down Migration
DROP INDEX IF EXISTS alert_notifications_receiver_due;
