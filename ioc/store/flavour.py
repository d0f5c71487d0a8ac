"""Which flavour a schema gets -- plain PostgreSQL or TimescaleDB -- and why.

The decision is a pure function of the requested flavour (``IOC_DB_FLAVOUR``:
``auto``, ``plain`` or ``timescale``), the flavour already recorded for the
schema, and three facts read from the server (:class:`ServerFacts`).  Only the
attempt to ``CREATE EXTENSION`` touches the database, and it is made only when
the library is preloaded: without the preload TimescaleDB's loader ends the
*session* (FATAL ``extension "timescaledb" must be preloaded``), which is how
``ioc db upgrade`` used to crash on a server where the package was installed
but not yet preloaded.

- ``auto`` picks TimescaleDB when the library is preloaded and the extension
  can be created, otherwise plain PostgreSQL, and says why in one log line.
- ``timescale`` that cannot be had is an error naming the fix.
- A schema keeps the flavour it was created with; asking for the other one is
  an error, ``auto`` follows the record.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any, Literal

import psycopg

from ioc.errors import StoreError

__all__ = [
    "PRELOAD_FIX",
    "Flavour",
    "FlavourChoice",
    "FlavourError",
    "Requested",
    "ServerFacts",
    "choose",
    "create_extension",
    "preloaded",
    "server_facts",
    "when_create_fails",
]

log = logging.getLogger(__name__)

Flavour = Literal["plain", "timescale"]
Requested = Literal["auto", "plain", "timescale"]

PRELOAD_FIX = (
    "add timescaledb to shared_preload_libraries in postgresql.conf "
    "(shared_preload_libraries = 'timescaledb', or "
    "ALTER SYSTEM SET shared_preload_libraries = 'timescaledb') and restart PostgreSQL"
)


class FlavourError(StoreError):
    """The requested flavour cannot be had on this server or for this schema."""


class _ApacheOnly(Exception):
    """The extension was created, but without the compression this schema needs."""


@dataclass(frozen=True, slots=True)
class ServerFacts:
    """What the server says about TimescaleDB."""

    preload: str | None  # shared_preload_libraries; None when this role may not read it
    available: str | None  # version of the installed package, None when not installed
    installed: str | None  # version of the extension in this database, None when not created


@dataclass(frozen=True, slots=True)
class FlavourChoice:
    flavour: Flavour
    reason: str
    create_extension: bool = False  # TimescaleDB, once CREATE EXTENSION has succeeded


def preloaded(preload: str | None) -> bool | None:
    """Whether ``shared_preload_libraries`` names timescaledb (None: cannot tell).

    The setting is a comma-separated list whose entries may be quoted, carry a
    directory (``$libdir/timescaledb``) or a suffix (``timescaledb.so``).
    """
    if preload is None:
        return None
    for entry in preload.split(","):
        name = entry.strip().strip('"').strip().rsplit("/", 1)[-1]
        if name.removesuffix(".so") == "timescaledb":
            return True
    return False


def choose(requested: Requested, recorded: Flavour | None, facts: ServerFacts) -> FlavourChoice:
    """The flavour for a schema; raises :class:`FlavourError` when it cannot be had."""
    if recorded is not None:
        return _keep(requested, recorded, facts)
    if requested == "plain":
        return FlavourChoice("plain", "IOC_DB_FLAVOUR=plain")
    loaded = preloaded(facts.preload)
    if requested == "timescale":
        if facts.available is None:
            raise FlavourError(
                "IOC_DB_FLAVOUR=timescale, but TimescaleDB is not installed on the database "
                "server: install its package for this PostgreSQL version, then "
                f"{PRELOAD_FIX}; or set IOC_DB_FLAVOUR=auto (or plain) for plain PostgreSQL"
            )
        if loaded is False:
            raise FlavourError(
                f"IOC_DB_FLAVOUR=timescale, but TimescaleDB {facts.available} is installed "
                f"and not preloaded (shared_preload_libraries = {facts.preload!r}): "
                f"{PRELOAD_FIX}; or set IOC_DB_FLAVOUR=auto (or plain) for plain PostgreSQL"
            )
        return FlavourChoice(
            "timescale", f"IOC_DB_FLAVOUR=timescale; TimescaleDB {facts.available}", True
        )
    # auto
    if facts.available is None:
        return FlavourChoice("plain", "TimescaleDB is not installed on the database server")
    if loaded is None:
        return FlavourChoice(
            "plain",
            f"TimescaleDB {facts.available} is installed, but this role may not read "
            "shared_preload_libraries to tell whether it is preloaded (grant it "
            "pg_read_all_settings, or set IOC_DB_FLAVOUR=timescale)",
        )
    if not loaded:
        return FlavourChoice(
            "plain",
            f"TimescaleDB {facts.available} is installed but not preloaded "
            f"(shared_preload_libraries = {facts.preload!r}); to use it: {PRELOAD_FIX}",
        )
    return FlavourChoice("timescale", f"TimescaleDB {facts.available} is preloaded", True)


def _keep(requested: Requested, recorded: Flavour, facts: ServerFacts) -> FlavourChoice:
    if requested not in ("auto", recorded):
        raise FlavourError(
            f"IOC_DB_FLAVOUR={requested}, but this schema was created {recorded}, and a "
            f"schema keeps its flavour: set IOC_DB_FLAVOUR={recorded} (or auto), or use "
            "a new schema or database (IOC_DB_SCHEMA, IOC_DATABASE_URL)"
        )
    if recorded == "timescale" and preloaded(facts.preload) is False:
        raise FlavourError(
            "this schema was created with TimescaleDB, which the server no longer "
            f"preloads (shared_preload_libraries = {facts.preload!r}): {PRELOAD_FIX}"
        )
    return FlavourChoice(recorded, "the flavour this schema was created with")


def when_create_fails(requested: Requested, error: str) -> FlavourChoice:
    """After ``CREATE EXTENSION timescaledb`` failed: plain for ``auto``, else an error."""
    if requested == "timescale":
        raise FlavourError(
            f"IOC_DB_FLAVOUR=timescale, but CREATE EXTENSION timescaledb failed: {error}"
        )
    return FlavourChoice("plain", f"CREATE EXTENSION timescaledb failed ({error})")


# ---- the server side ------------------------------------------------------------


def server_facts(conn: psycopg.Connection[Any]) -> ServerFacts:
    """Read the three facts; the caller's transaction stays usable."""
    row = conn.execute(
        "SELECT (SELECT default_version FROM pg_available_extensions WHERE name = 'timescaledb'),"
        "       (SELECT extversion FROM pg_extension WHERE extname = 'timescaledb')"
    ).fetchone()
    available, installed = row if row else (None, None)
    preload: str | None
    try:
        with conn.transaction():
            found = conn.execute("SHOW shared_preload_libraries").fetchone()
            preload = str(found[0]) if found else ""
    except psycopg.errors.InsufficientPrivilege:
        preload = None
    return ServerFacts(preload, available, installed)


def create_extension(conn: psycopg.Connection[Any]) -> str | None:
    """``CREATE EXTENSION timescaledb`` in a savepoint; the error text, or None on success.

    Call only when the library is preloaded (or the preload cannot be read and
    TimescaleDB was asked for): without it the server ends the session.
    """
    try:
        with conn.transaction():
            conn.execute("CREATE EXTENSION IF NOT EXISTS timescaledb WITH SCHEMA public")
            row = conn.execute("SELECT current_setting('timescaledb.license', true)").fetchone()
            if row and row[0] == "apache":
                raise _ApacheOnly  # rolls the savepoint back
    except _ApacheOnly:
        return (
            "timescaledb.license is 'apache': the Apache-2 build has no compression, "
            "which this schema uses; install the Community build and set "
            "timescaledb.license = 'timescale'"
        )
    except psycopg.Error as exc:
        if conn.closed:
            raise FlavourError(
                f"CREATE EXTENSION timescaledb ended the database session ({exc}): {PRELOAD_FIX}"
            ) from exc
        return str(exc).strip().splitlines()[0]
    return None
