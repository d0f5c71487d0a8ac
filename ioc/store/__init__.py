"""The store: migrations, the batch write path and the read queries.  All SQL lives here."""
