-- Time-series tables on TimescaleDB (tested against timescale/timescaledb-ha,
-- TimescaleDB 2.13+): hypertables with compression and retention policies,
-- rollups as continuous aggregates (readings_1h is hierarchical on readings_1m).
-- Columns match 002_timeseries.plain.sql exactly: callers cannot tell.

-- In public, so every schema (tests give each its own) finds the same functions.
CREATE EXTENSION IF NOT EXISTS timescaledb WITH SCHEMA public;

CREATE TABLE readings (
    time       timestamptz NOT NULL,
    ward_code  text NOT NULL,
    device_id  text NOT NULL,
    metric     text NOT NULL,
    value      double precision NOT NULL,
    UNIQUE (device_id, metric, time)
);
SELECT create_hypertable('readings', 'time', chunk_time_interval => INTERVAL '1 day',
                         if_not_exists => TRUE);
CREATE INDEX readings_ward_metric_time ON readings (ward_code, metric, time DESC);
ALTER TABLE readings SET (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'device_id, metric',
    timescaledb.compress_orderby = 'time DESC'
);
SELECT add_compression_policy('readings', INTERVAL '7 days', if_not_exists => TRUE);
SELECT add_retention_policy('readings', INTERVAL '400 days', if_not_exists => TRUE);

CREATE TABLE events (
    time       timestamptz NOT NULL,
    ward_code  text NOT NULL,
    domain     text NOT NULL,
    source     text NOT NULL,
    event_id   text NOT NULL,
    type       text NOT NULL,
    attrs      jsonb NOT NULL DEFAULT '{}',
    UNIQUE (source, event_id, time)
);
SELECT create_hypertable('events', 'time', chunk_time_interval => INTERVAL '7 days',
                         if_not_exists => TRUE);
CREATE INDEX events_ward_domain_time ON events (ward_code, domain, time DESC);
CREATE INDEX events_domain_type_time ON events (domain, type, time DESC);
ALTER TABLE events SET (
    timescaledb.compress,
    timescaledb.compress_segmentby = 'source',
    timescaledb.compress_orderby = 'time DESC, event_id'
);
SELECT add_compression_policy('events', INTERVAL '30 days', if_not_exists => TRUE);
SELECT add_retention_policy('events', INTERVAL '400 days', if_not_exists => TRUE);

CREATE MATERIALIZED VIEW readings_1m
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT ward_code,
       metric,
       time_bucket(INTERVAL '1 minute', time) AS bucket,
       avg(value)  AS avg,
       min(value)  AS min,
       max(value)  AS max,
       count(*)    AS count,
       sum(value)  AS sum
FROM readings
GROUP BY ward_code, metric, time_bucket(INTERVAL '1 minute', time)
WITH NO DATA;
SELECT add_continuous_aggregate_policy('readings_1m',
    start_offset => INTERVAL '2 hours', end_offset => INTERVAL '1 minute',
    schedule_interval => INTERVAL '1 minute');

CREATE MATERIALIZED VIEW readings_1h
WITH (timescaledb.continuous, timescaledb.materialized_only = false) AS
SELECT ward_code,
       metric,
       time_bucket(INTERVAL '1 hour', bucket) AS bucket,
       sum(sum) / sum(count) AS avg,
       min(min)  AS min,
       max(max)  AS max,
       sum(count)::bigint AS count,
       sum(sum)  AS sum
FROM readings_1m
GROUP BY ward_code, metric, time_bucket(INTERVAL '1 hour', bucket)
WITH NO DATA;
SELECT add_continuous_aggregate_policy('readings_1h',
    start_offset => INTERVAL '3 days', end_offset => INTERVAL '1 hour',
    schedule_interval => INTERVAL '15 minutes');
SELECT add_retention_policy('readings_1m', INTERVAL '90 days', if_not_exists => TRUE);
