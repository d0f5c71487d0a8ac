-- Time-series tables on plain PostgreSQL: declarative range partitions of one
-- week each, created on demand by ensure_partition() (the write path calls it
-- before each batch), dropped by drop_partitions_before() for retention.
-- Rollups are ordinary tables that the ingest write path keeps current.

CREATE TABLE readings (
    time       timestamptz NOT NULL,
    ward_code  text NOT NULL,
    device_id  text NOT NULL,
    metric     text NOT NULL,
    value      double precision NOT NULL,
    UNIQUE (device_id, metric, time)
) PARTITION BY RANGE (time);
CREATE INDEX readings_ward_metric_time ON readings (ward_code, metric, time DESC);

CREATE TABLE events (
    time       timestamptz NOT NULL,
    ward_code  text NOT NULL,
    domain     text NOT NULL,
    source     text NOT NULL,
    event_id   text NOT NULL,
    type       text NOT NULL,
    attrs      jsonb NOT NULL DEFAULT '{}',
    UNIQUE (source, event_id, time)
) PARTITION BY RANGE (time);
CREATE INDEX events_ward_domain_time ON events (ward_code, domain, time DESC);
CREATE INDEX events_domain_type_time ON events (domain, type, time DESC);

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

-- One partition per week, weeks starting Monday 00:00 UTC.
CREATE FUNCTION ensure_partition(parent regclass, ts timestamptz) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    lo   timestamptz := date_trunc('week', ts AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
    hi   timestamptz := lo + interval '7 days';
    rel  text := (SELECT relname FROM pg_class WHERE oid = parent);
    nsp  text := (SELECT n.nspname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
                  WHERE c.oid = parent);
    part text := rel || '_p' || to_char(lo AT TIME ZONE 'UTC', 'YYYYMMDD');
BEGIN
    IF to_regclass(format('%I.%I', nsp, part)) IS NULL THEN
        -- Serialise concurrent creators (several ingest workers).
        PERFORM pg_advisory_xact_lock(hashtext(nsp || '.' || part));
        IF to_regclass(format('%I.%I', nsp, part)) IS NULL THEN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           nsp, part, parent, lo, hi);
        END IF;
    END IF;
    RETURN part;
END $$;

CREATE FUNCTION drop_partitions_before(parent regclass, cutoff timestamptz) RETURNS integer
LANGUAGE plpgsql AS $$
DECLARE
    r record;
    n integer := 0;
BEGIN
    FOR r IN
        SELECT c.oid::regclass AS part, pg_get_expr(c.relpartbound, c.oid) AS bound
        FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
        WHERE i.inhparent = parent
    LOOP
        -- bound: FOR VALUES FROM ('lo') TO ('hi')
        IF (substring(r.bound FROM 'TO \(''([^'']+)''\)'))::timestamptz <= cutoff THEN
            EXECUTE format('DROP TABLE %s', r.part);
            n := n + 1;
        END IF;
    END LOOP;
    RETURN n;
END $$;
