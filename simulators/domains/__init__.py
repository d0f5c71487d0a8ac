"""One pure, seeded generator per domain: ``init(devices, rng, start, overlay)`` and ``step(state, rng, now)``."""
