"""Ward registry, boundary import / validation and point-in-ward lookup.  No I/O to services."""
