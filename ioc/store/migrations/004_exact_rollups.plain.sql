-- The write path is one piece of code on both flavours (issue #8): before each
-- batch it asks the database to prepare the time partitions the batch needs.
-- Here that means the weekly partitions of `readings` and `events`; on
-- TimescaleDB the same function does nothing (hypertables make their chunks).
-- The rollups were already ordinary tables folded by the write path here; the
-- TimescaleDB flavour's 004 turns its continuous aggregates into the same.

CREATE FUNCTION ensure_time_partitions(weeks timestamptz[]) RETURNS void
LANGUAGE sql AS $$
    SELECT ensure_partition('readings', w), ensure_partition('events', w)
    FROM (SELECT DISTINCT date_trunc('week', t, 'UTC') AS w FROM unnest(weeks) AS t) AS s
    ORDER BY w;
$$;
