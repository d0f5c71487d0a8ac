"""Simulated Tân An feeds: seeded domain generators, scenarios, record / replay, load generator."""
