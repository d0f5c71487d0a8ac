"""The ``wards`` table: seeding from the registry and reading it back."""

from __future__ import annotations

from collections.abc import Iterable

import psycopg
from psycopg.types.json import Jsonb

from geodata.registry import DISTRICT, Ward

__all__ = ["known_ward_codes", "seed_wards", "upsert_boundaries"]


def seed_wards(conn: psycopg.Connection[object], wards: Iterable[Ward]) -> int:
    """Insert or refresh the registry facts; leaves imported geometry alone."""
    rows = [
        (
            w.code,
            w.name,
            w.name_en,
            w.kind,
            DISTRICT,
            w.population,
            w.population_is_estimate,
            w.area_km2,
            w.osm_relation,
            w.lat,
            w.lon,
        )
        for w in wards
    ]
    with conn.cursor() as cur:
        cur.executemany(
            """
            INSERT INTO wards (code, name, name_en, kind, district, population,
                               population_is_estimate, area_km2, osm_relation, lat, lon)
            VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            ON CONFLICT (code) DO UPDATE SET
                name = excluded.name, name_en = excluded.name_en, kind = excluded.kind,
                district = excluded.district, osm_relation = excluded.osm_relation,
                lat = excluded.lat, lon = excluded.lon,
                population = CASE WHEN wards.population_is_estimate
                                  THEN excluded.population ELSE wards.population END,
                area_km2 = coalesce(wards.area_km2, excluded.area_km2),
                updated_at = now()
            """,
            rows,
        )
    return len(rows)


def upsert_boundaries(
    conn: psycopg.Connection[object],
    boundaries: Iterable[tuple[str, dict[str, object], dict[str, object]]],
    source: str,
) -> int:
    """Store (code, geometry GeoJSON, simplified GeoJSON) for existing wards."""
    n = 0
    with conn.cursor() as cur:
        for code, geom, simple in boundaries:
            cur.execute(
                """
                UPDATE wards SET geometry = %s, geometry_simplified = %s,
                                 boundary_source = %s, updated_at = now()
                WHERE code = %s
                """,
                (Jsonb(geom), Jsonb(simple), source, code),
            )
            n += cur.rowcount
    return n


def known_ward_codes(conn: psycopg.Connection[object]) -> frozenset[str]:
    return frozenset(r[0] for r in conn.execute("SELECT code FROM wards"))
