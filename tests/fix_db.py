"""PostgreSQL fixtures: each test gets its own migrated schema in the test database."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from psycopg import sql

from geodata.registry import wards
from ioc.store.db import connect, ensure_database
from ioc.store.migrate import upgrade
from ioc.store.wards import seed_wards
from tests.services import DATABASE_URL, unavailable


@pytest.fixture(scope="session")
def database_url() -> str:
    try:
        ensure_database(DATABASE_URL)
    except psycopg.OperationalError as exc:
        unavailable("PostgreSQL", exc)
    return DATABASE_URL


@pytest.fixture
def db_schema(database_url: str) -> Iterator[str]:
    """A fresh schema with every migration applied and the wards seeded."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    with connect(database_url) as conn:
        upgrade(conn, schema, force="plain")
    with connect(database_url, schema) as conn:
        seed_wards(conn, wards())
        conn.commit()
    yield schema
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


@pytest.fixture
def db(database_url: str, db_schema: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection to the test's schema."""
    with connect(database_url, db_schema, autocommit=True) as conn:
        yield conn
