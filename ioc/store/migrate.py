"""Numbered SQL migrations: ``NNN_name.sql`` for both flavours, or a pair
``NNN_name.plain.sql`` / ``NNN_name.timescale.sql`` where they differ.

The flavour is chosen once, when the schema is first created: TimescaleDB when
the extension is available to the server, plain PostgreSQL otherwise (or when
forced).  It is recorded in ``ioc_meta`` so later upgrades keep to it.  Each
migration runs in its own transaction under an advisory lock, so two processes
upgrading at once do not race and running ``ioc db upgrade`` twice is a no-op.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

import psycopg
from psycopg import sql

from ioc.errors import StoreError
from ioc.store.db import configure

__all__ = ["Flavour", "Migration", "current_version", "flavour", "migrations", "upgrade"]

log = logging.getLogger(__name__)

Flavour = Literal["plain", "timescale"]
_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+?)(?:\.(plain|timescale))?\.sql$")
_LOCK_KEY = 0x10C_7A4A  # advisory lock id for migrations


@dataclass(frozen=True, slots=True)
class Migration:
    version: int
    name: str
    sql: str


def migrations(flav: Flavour) -> list[Migration]:
    """The migrations for one flavour, in order."""
    found: dict[int, Migration] = {}
    for entry in resources.files("ioc.store").joinpath("migrations").iterdir():
        m = _NAME.match(entry.name)
        if not m:
            continue
        version, name, variant = int(m.group(1)), m.group(2), m.group(3)
        if variant not in (None, flav):
            continue
        if version in found:
            raise StoreError(f"two migrations numbered {version:03d}")
        found[version] = Migration(version, name, entry.read_text(encoding="utf-8"))
    versions = sorted(found)
    if versions != list(range(1, len(versions) + 1)):
        raise StoreError(f"migration numbers have a gap: {versions}")
    return [found[v] for v in versions]


def _bootstrap(conn: psycopg.Connection[Any]) -> None:
    conn.execute(
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            version     integer PRIMARY KEY,
            name        text NOT NULL,
            applied_at  timestamptz NOT NULL DEFAULT now()
        )
        """
    )
    conn.execute("CREATE TABLE IF NOT EXISTS ioc_meta (key text PRIMARY KEY, value text NOT NULL)")


def _timescale_available(conn: psycopg.Connection[Any]) -> bool:
    row = conn.execute(
        "SELECT count(*) FROM pg_available_extensions WHERE name = 'timescaledb'"
    ).fetchone()
    return bool(row and row[0])


def flavour(conn: psycopg.Connection[Any]) -> Flavour | None:
    """The flavour recorded for this schema, or None before the first upgrade."""
    if conn.execute("SELECT to_regclass('ioc_meta')").fetchone() == (None,):
        return None
    row = conn.execute("SELECT value FROM ioc_meta WHERE key = 'flavour'").fetchone()
    return None if row is None else row[0]  # type: ignore[no-any-return]


def current_version(conn: psycopg.Connection[Any]) -> int:
    if conn.execute("SELECT to_regclass('schema_migrations')").fetchone() == (None,):
        return 0
    row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_migrations").fetchone()
    return int(row[0]) if row else 0


def upgrade(
    conn: psycopg.Connection[Any], schema: str = "public", *, force: Flavour | None = None
) -> list[Migration]:
    """Apply pending migrations; returns those applied (empty when up to date)."""
    conn.autocommit = True
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    configure(conn, schema)
    applied: list[Migration] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (_LOCK_KEY,))
        _bootstrap(conn)
        flav = flavour(conn)
        if flav is None:
            flav = force or ("timescale" if _timescale_available(conn) else "plain")
            conn.execute("INSERT INTO ioc_meta (key, value) VALUES ('flavour', %s)", (flav,))
        elif force and force != flav:
            raise StoreError(f"schema {schema!r} was created {flav}; cannot switch to {force}")
        version = current_version(conn)
        for mig in migrations(flav):
            if mig.version <= version:
                continue
            log.info("applying migration %03d_%s (%s)", mig.version, mig.name, flav)
            with conn.transaction():
                conn.execute(mig.sql.encode())
                conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (mig.version, mig.name),
                )
            applied.append(mig)
    return applied
