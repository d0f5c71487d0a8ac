"""Connections to PostgreSQL: one place that knows the DSN, schema and session settings.

Every connection runs in UTC and with ``search_path`` set to the configured
schema (tests give each run its own schema), followed by ``public`` where the
TimescaleDB functions live.  :class:`Database` is the app's adapter: a pool
whose callers hand it a query function and never see the driver's errors.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any, Concatenate, ParamSpec, TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql
from psycopg_pool import ConnectionPool

from ioc.errors import ServiceUnavailable, StoreError

__all__ = ["Connection", "Database", "configure", "connect", "ensure_database", "make_pool"]

log = logging.getLogger(__name__)
Connection = psycopg.Connection[Any]
P = ParamSpec("P")
R = TypeVar("R")


def _search_path(schema: str) -> sql.Composed | sql.SQL:
    if schema == "public":
        return sql.SQL("SET search_path TO public")
    return sql.SQL("SET search_path TO {}, public").format(sql.Identifier(schema))


def configure(conn: psycopg.Connection[Any], schema: str) -> None:
    """Session settings every connection needs; leaves the connection idle."""
    autocommit = conn.autocommit
    conn.autocommit = True
    try:
        conn.execute(_search_path(schema))
        conn.execute("SET TIME ZONE 'UTC'")
        conn.execute("SET application_name TO 'tanan-ioc'")
    finally:
        conn.autocommit = autocommit


def connect(
    dsn: str, schema: str = "public", *, autocommit: bool = False
) -> psycopg.Connection[Any]:
    conn: psycopg.Connection[Any] = psycopg.connect(dsn, connect_timeout=5)
    configure(conn, schema)
    conn.autocommit = autocommit
    return conn


def make_pool(
    dsn: str, schema: str = "public", *, min_size: int = 1, max_size: int = 4, name: str = "ioc"
) -> ConnectionPool[psycopg.Connection[Any]]:
    """A pool whose connections are configured and checked before use."""

    def _configure(conn: psycopg.Connection[Any]) -> None:
        configure(conn, schema)

    pool: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
        dsn,
        min_size=min_size,
        max_size=max_size,
        name=name,
        kwargs={"connect_timeout": 5},
        configure=_configure,
        check=ConnectionPool.check_connection,
        reconnect_timeout=0,  # keep trying for ever: the database will come back
        open=False,
    )
    pool.open(wait=False)
    return pool


class Database:
    """The app's PostgreSQL adapter: a pool of configured connections.

    ``run(fn, *args)`` calls ``fn(conn, *args)`` on a pooled connection.  The
    server or the pool being unreachable (``OperationalError``, pool timeout)
    leaves as :class:`ServiceUnavailable`; any other driver error, a query the
    database refuses, as :class:`StoreError`.  Both keep the driver's as cause.
    """

    def __init__(self, pool: ConnectionPool[Connection], *, timeout: float = 30.0) -> None:
        self._pool = pool
        self._timeout = timeout  # seconds to wait for a connection

    @classmethod
    def open(
        cls,
        dsn: str,
        schema: str = "public",
        *,
        max_size: int = 4,
        name: str = "ioc",
        timeout: float = 30.0,
    ) -> Database:
        return cls(make_pool(dsn, schema, max_size=max_size, name=name), timeout=timeout)

    def run(
        self, fn: Callable[Concatenate[Connection, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        try:
            with self._pool.connection(timeout=self._timeout) as conn:
                return fn(conn, *args, **kwargs)
        except psycopg.OperationalError as exc:  # PoolTimeout and PoolClosed are ones too
            raise ServiceUnavailable(f"PostgreSQL: {exc}") from exc
        except psycopg.Error as exc:
            raise StoreError(f"{type(exc).__name__}: {exc}") from exc

    def close(self) -> None:
        self._pool.close()


def ensure_database(dsn: str) -> bool:
    """Create the database the DSN names when the server has none by that name.

    Returns True when it was created.  Needs the right to create databases.
    """
    parts = urlsplit(dsn)
    name = parts.path.lstrip("/")
    if not name:
        return False
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True, connect_timeout=5) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return False
        try:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        except psycopg.errors.DuplicateDatabase:
            return False  # created meanwhile by another process
    log.info("created database %s", name)
    return True
