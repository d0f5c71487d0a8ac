-- ensure_partition() raced between ingest workers: after waiting for the
-- advisory lock, the catalog lookup could still miss the partition the other
-- worker had just committed (an advisory lock does not make the backend read
-- catalog invalidations), so CREATE TABLE failed with duplicate_table and the
-- worker stopped.  Treat "already exists" as done.
CREATE OR REPLACE FUNCTION ensure_partition(parent regclass, ts timestamptz) RETURNS text
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
        PERFORM pg_advisory_xact_lock(hashtext(nsp || '.' || part));
        BEGIN
            EXECUTE format('CREATE TABLE %I.%I PARTITION OF %s FOR VALUES FROM (%L) TO (%L)',
                           nsp, part, parent, lo, hi);
        EXCEPTION WHEN duplicate_table THEN
            NULL;  -- another worker made it first
        END;
    END IF;
    RETURN part;
END $$;
