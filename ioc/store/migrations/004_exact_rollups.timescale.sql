-- Rollups that count every reading exactly once, whatever its lateness; chunks
-- and columnstore settings chosen for the data this system really stores.
--
-- 1. Rollups.  Until now readings_1m / readings_1h were continuous aggregates
--    refreshed by policies over [now - 2 h, now - 1 min] and [now - 3 days,
--    now - 1 h].  A reading that arrived outside those windows after a refresh
--    (backfill, a replay, a device catching up after an outage, the demo's
--    history) or that was there before the first refresh was never counted:
--    38-69 % of readings were missing on a real server.  They become ordinary
--    hypertables that the ingest write path folds each *new* reading into, in
--    the statement that inserts it (INSERT ... ON CONFLICT DO NOTHING RETURNING,
--    so a redelivered reading is not counted twice) -- the mechanism the plain
--    flavour has always used, now the only one.  Columns, types and keys are
--    those of 002_timeseries.plain.sql: callers cannot tell the flavours apart.
--
--    The new tables are filled once, here, from `readings` (exact: every stored
--    reading, whatever its age).  `readings` is locked against writes while
--    that runs, so nothing lands between the refill and the commit; ingest
--    workers of the previous version would insert without folding once the
--    lock is released, so stop them before `ioc db upgrade` and start the new
--    version after it (the new version refuses to write to an older schema).
--
-- 2. Chunk intervals.  The fleet writes ~0.43 M readings a day (default fleet:
--    traffic 242 k, lighting 73 k, air 65 k, noise 20 k, flood 20 k, ...; about
--    85 MB a day with indexes), but COVID figures, dossiers and e-government
--    counters arrive a few times a day per ward (COVID: 84 readings a day for
--    the whole city).  One-day chunks left the history of those sparse feeds
--    in chunks of a few dozen rows, where the fixed cost of a chunk (heap,
--    three indexes, and after compression a second table, its TOAST table and
--    index) outweighs the data: compressing them made them larger (ratio
--    0.73).  `readings` now takes 7-day chunks (TimescaleDB's own default):
--    ~0.6 GB for the default fleet, under a quarter of a 4 GB server's memory,
--    so the open chunk's indexes stay cached, and a sparse week holds hundreds
--    of rows.  `events` (a few thousand a day) takes 30-day chunks.  The new
--    intervals apply to chunks created from now on.
--
-- 3. Columnstore (compression) settings.  A compressed batch holds up to 1000
--    rows of one segment; segments of one row (the old `device_id, metric`
--    segmenting of a daily COVID figure in a one-day chunk) compress to more
--    than they were.  Segmenting `readings` by `metric` alone and ordering by
--    `device_id, time` keeps each device's run contiguous inside the batch
--    (dense feeds compress as before: delta-of-delta times, one device id per
--    run) while a sparse metric gathers every ward's values of the week into one
--    segment.  The device / metric / time of a late or redelivered reading
--    still finds its batch through the segment and the orderby min/max, which
--    is what the unique check on the columnstore decompresses.  The rollups
--    segment the same way (`metric`, ordered by `ward_code, bucket`).  New
--    settings apply to chunks compressed from now on.
--
-- Policies: columnstore after 7 days and retention (raw readings and events,
-- hourly rollups 400 days, minute rollups 90 days) are the defaults here;
-- `ioc db upgrade` and `ioc db maintain` set them to IOC_DB_COMPRESS_AFTER_DAYS,
-- IOC_INGEST__RETENTION_DAYS and IOC_DB_MINUTE_ROLLUP_DAYS.
--
-- Needs TimescaleDB 2.18 or later (the columnstore names; 2.28 takes both
-- these and the older compression names that 002 used).

DO $$
DECLARE
    v text := (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb');
BEGIN
    IF string_to_array(split_part(v, '-', 1), '.')::int[] < ARRAY[2, 18] THEN
        RAISE EXCEPTION 'TimescaleDB % is too old for this schema: it needs 2.18 or later', v
            USING HINT = 'Install a newer TimescaleDB package, then run '
                         'ALTER EXTENSION timescaledb UPDATE in a new session.';
    END IF;
END $$;

-- No reading may arrive between the refill and the commit (see 1. above).
LOCK TABLE readings IN SHARE MODE;

-- Dropping a continuous aggregate removes its refresh and retention jobs.
DROP MATERIALIZED VIEW readings_1h;
DROP MATERIALIZED VIEW readings_1m;

CREATE TABLE readings_1m (
    ward_code  text NOT NULL,
    metric     text NOT NULL,
    bucket     timestamptz NOT NULL,
    avg        double precision NOT NULL,
    min        double precision NOT NULL,
    max        double precision NOT NULL,
    count      bigint NOT NULL,
    sum        double precision NOT NULL,
    PRIMARY KEY (ward_code, metric, bucket)
);
CREATE INDEX readings_1m_bucket ON readings_1m (bucket);

CREATE TABLE readings_1h (LIKE readings_1m INCLUDING ALL);

-- Minute rollups: one row per ward, metric and minute with data (~0.15-0.35 M
-- a day for the default fleet): 7-day chunks.  Hourly: ~6 k a day: 30 days.
SELECT create_hypertable('readings_1m', by_range('bucket', INTERVAL '7 days'),
                         create_default_indexes => FALSE);
SELECT create_hypertable('readings_1h', by_range('bucket', INTERVAL '30 days'),
                         create_default_indexes => FALSE);

-- The refill: every stored reading, counted once.
INSERT INTO readings_1m (ward_code, metric, bucket, avg, min, max, count, sum)
SELECT ward_code, metric, date_trunc('minute', time, 'UTC'),
       avg(value), min(value), max(value), count(*), sum(value)
FROM readings
GROUP BY 1, 2, 3;

INSERT INTO readings_1h (ward_code, metric, bucket, avg, min, max, count, sum)
SELECT ward_code, metric, date_trunc('hour', time, 'UTC'),
       avg(value), min(value), max(value), count(*), sum(value)
FROM readings
GROUP BY 1, 2, 3;

ALTER TABLE readings_1m SET (
    timescaledb.enable_columnstore = true,
    timescaledb.segmentby = 'metric',
    timescaledb.orderby = 'ward_code, bucket DESC'
);
ALTER TABLE readings_1h SET (
    timescaledb.enable_columnstore = true,
    timescaledb.segmentby = 'metric',
    timescaledb.orderby = 'ward_code, bucket DESC'
);
CALL add_columnstore_policy('readings_1m', after => INTERVAL '7 days');
CALL add_columnstore_policy('readings_1h', after => INTERVAL '7 days');
SELECT add_retention_policy('readings_1m', drop_after => INTERVAL '90 days');
SELECT add_retention_policy('readings_1h', drop_after => INTERVAL '400 days');

ALTER TABLE readings SET (
    timescaledb.enable_columnstore = true,
    timescaledb.segmentby = 'metric',
    timescaledb.orderby = 'device_id, time DESC'
);
SELECT set_partitioning_interval('readings', INTERVAL '7 days');
SELECT set_partitioning_interval('events', INTERVAL '30 days');
-- Every hypertable moves to the columnstore at the same age (002 said 30 days
-- for events): one setting, IOC_DB_COMPRESS_AFTER_DAYS.
CALL remove_columnstore_policy('events', if_exists => true);
CALL add_columnstore_policy('events', after => INTERVAL '7 days');

-- The write path prepares the time partitions a batch needs before writing it
-- (plain PostgreSQL creates weekly partitions); hypertables create their own
-- chunks, so here there is nothing to do.  One call on both flavours keeps the
-- write path the same code.
CREATE FUNCTION ensure_time_partitions(weeks timestamptz[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    -- nothing: TimescaleDB makes chunks on insert
END $$;
