"""The ``wards`` table: seeding from the registry and reading it back."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg.types.json import Jsonb

from geodata.registry import DISTRICT, Ward

__all__ = [
    "boundary_status",
    "known_ward_codes",
    "load_boundaries",
    "seed_wards",
    "update_populations",
    "upsert_boundaries",
]


def seed_wards(conn: psycopg.Connection[Any], wards: Iterable[Ward]) -> int:
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
    conn: psycopg.Connection[Any],
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


def known_ward_codes(conn: psycopg.Connection[Any]) -> frozenset[str]:
    return frozenset(r[0] for r in conn.execute("SELECT code FROM wards"))


def update_populations(conn: psycopg.Connection[Any], populations: Mapping[str, int]) -> int:
    """Store official populations (from an imported file); they replace the estimates."""
    n = 0
    with conn.cursor() as cur:
        for code, population in populations.items():
            cur.execute(
                """
                UPDATE wards SET population = %s, population_is_estimate = false,
                                 updated_at = now()
                WHERE code = %s
                """,
                (population, code),
            )
            n += cur.rowcount
    return n


def load_boundaries(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """Rows for :func:`geodata.features.ward_features` (simplified geometry, no full geometry)."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            """
            SELECT code, name, name_en, kind, population, area_km2, lat, lon,
                   geometry_simplified, boundary_source
            FROM wards ORDER BY code
            """
        )
        return cur.fetchall()


def boundary_status(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """Per ward: source, official area, stored geometry (or None) and when it changed."""
    with conn.cursor(row_factory=dict_row) as cur:
        cur.execute(
            """
            SELECT code, name, boundary_source, area_km2, population,
                   population_is_estimate, geometry IS NOT NULL AS has_geometry, geometry,
                   updated_at
            FROM wards ORDER BY code
            """
        )
        return cur.fetchall()
