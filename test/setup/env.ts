// Tests run in UTC (STYLE.md §7): window boundaries and partitions are computed in UTC.
process.env.TZ = 'UTC';
