"""Numbered SQL migrations: ``NNN_name.sql`` for both flavours, or a pair
``NNN_name.plain.sql`` / ``NNN_name.timescale.sql`` where they differ.

The flavour is chosen once, when the schema is first created (see
:mod:`ioc.store.flavour`: TimescaleDB only when it is preloaded and the
extension can be created), and recorded in ``ioc_meta`` so later upgrades keep
to it.  One upgrade runs in one transaction under an advisory lock, so two
processes upgrading at once do not race, a failed migration leaves the schema
as it was, and running ``ioc db upgrade`` twice is a no-op.
"""

from __future__ import annotations

import logging
import re
import time
from dataclasses import dataclass, field
from importlib import resources
from typing import Any

import psycopg
from psycopg import sql

from ioc.errors import StoreError
from ioc.store.db import configure
from ioc.store.flavour import (
    Flavour,
    Requested,
    choose,
    create_extension,
    server_facts,
    when_create_fails,
)

__all__ = [
    "SCHEMA_LOCK",
    "Flavour",
    "Migration",
    "Upgrade",
    "current_version",
    "drop_schema",
    "flavour",
    "latest_version",
    "migrations",
    "require_current",
    "upgrade",
]

log = logging.getLogger(__name__)

_NAME = re.compile(r"^(\d{3})_([a-z0-9_]+?)(?:\.(plain|timescale))?\.sql$")
SCHEMA_LOCK = 0x10C_7A4A  # advisory lock id: migrations and policy changes


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


def latest_version(flav: Flavour) -> int:
    return migrations(flav)[-1].version


def require_current(conn: psycopg.Connection[Any]) -> Flavour:
    """The schema's flavour; raises :class:`StoreError` unless it is fully migrated.

    Writers call this before their first write: code that folds readings into
    rollup tables must not write to a schema whose rollups are still of an
    older shape (and the reverse).
    """
    flav = flavour(conn)
    if flav is None:
        raise StoreError("the schema has no migrations: run 'ioc db upgrade'")
    version, latest = current_version(conn), latest_version(flav)
    if version < latest:
        raise StoreError(
            f"the schema is at version {version}, this code needs {latest}: "
            "run 'ioc db upgrade' (with the ingest workers stopped)"
        )
    return flav


@dataclass(frozen=True, slots=True)
class Upgrade:
    """What ``upgrade`` did: the migrations applied, the schema's flavour and why."""

    flavour: Flavour
    reason: str
    applied: list[Migration] = field(default_factory=list)


def upgrade(
    conn: psycopg.Connection[Any],
    schema: str = "public",
    *,
    requested: Requested = "auto",
    target: int | None = None,
) -> Upgrade:
    """Apply pending migrations (none when up to date) to ``schema``.

    ``target`` stops at that version (tests build a schema as an older release left it).
    """
    conn.autocommit = True
    conn.execute(sql.SQL("CREATE SCHEMA IF NOT EXISTS {}").format(sql.Identifier(schema)))
    configure(conn, schema)
    applied: list[Migration] = []
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (SCHEMA_LOCK,))
        _bootstrap(conn)
        recorded = flavour(conn)
        choice = choose(requested, recorded, server_facts(conn))
        if choice.create_extension:
            error = create_extension(conn)
            if error is not None:
                choice = when_create_fails(requested, error)
        log.info("schema %s: %s flavour (%s)", schema, choice.flavour, choice.reason)
        flav = choice.flavour
        if recorded is None:
            conn.execute("INSERT INTO ioc_meta (key, value) VALUES ('flavour', %s)", (flav,))
        version = current_version(conn)
        for mig in migrations(flav):
            if mig.version <= version or (target is not None and mig.version > target):
                continue
            log.info("applying migration %03d_%s (%s)", mig.version, mig.name, flav)
            with conn.transaction():
                conn.execute(mig.sql.encode())
                conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (mig.version, mig.name),
                )
            applied.append(mig)
    return Upgrade(flav, choice.reason, applied)


def drop_schema(conn: psycopg.Connection[Any], schema: str, attempts: int = 5) -> None:
    """Drop ``schema`` and everything in it, its TimescaleDB background jobs first.

    A policy job running while ``DROP SCHEMA ... CASCADE`` removes its chunks
    makes the drop fail (``tuple concurrently deleted``, deadlocks): the jobs
    are deleted first (``delete_job`` also stops a running one), and a drop
    that still collides with one is retried.  For tests and benchmarks.
    """
    conn.autocommit = True
    for attempt in range(1, attempts + 1):
        try:
            if conn.execute("SELECT to_regclass('timescaledb_information.jobs')").fetchone() != (
                None,
            ):
                conn.execute(
                    "SELECT delete_job(job_id) FROM timescaledb_information.jobs "
                    "WHERE hypertable_schema = %s",
                    (schema,),
                )
            conn.execute(sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema)))
            return
        except (psycopg.errors.DeadlockDetected, psycopg.errors.InternalError_) as exc:
            if attempt == attempts:
                raise
            log.info(
                "dropping schema %s collided with a background job (%s); retrying", schema, exc
            )
            time.sleep(0.2 * attempt)
