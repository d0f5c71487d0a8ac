-- Nothing to do: hypertables create their chunks themselves (the plain flavour's
-- 003 fixes its own partition helper).  Kept so both flavours number alike.
SELECT 1;
