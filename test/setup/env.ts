// Tests run in UTC so local time cannot leak in: window boundaries and partitions are computed in UTC.
process.env.TZ = 'UTC';
