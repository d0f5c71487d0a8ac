"""PostgreSQL fixtures: each test gets its own migrated schema, of the flavour under test.

``IOC_TEST_FLAVOUR`` picks the flavour (``tests/services.py``).  A test of one
flavour's internals carries ``@pytest.mark.flavour("plain")`` (or
``"timescale"``) and is skipped under the other; every other test must pass on
both, so it writes through the public write path and reads what callers read.
Teardown removes the schema's TimescaleDB jobs before dropping it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from geodata.registry import wards
from ioc.store.db import connect, ensure_database
from ioc.store.migrate import drop_schema, upgrade
from ioc.store.wards import seed_wards
from tests.services import DATABASE_URL, FLAVOUR, unavailable


def pytest_runtest_setup(item: pytest.Item) -> None:
    marker = item.get_closest_marker("flavour")
    if marker is not None and marker.args[0] != FLAVOUR:
        pytest.skip(f"{marker.args[0]} flavour internals (IOC_TEST_FLAVOUR={FLAVOUR})")


@pytest.fixture(scope="session")
def database_url() -> str:
    try:
        ensure_database(DATABASE_URL)
    except psycopg.OperationalError as exc:
        unavailable("PostgreSQL", exc)
    return DATABASE_URL


def make_schema(database_url: str, prefix: str = "t", target: int | None = None) -> str:
    """A new schema of the flavour under test, migrated (to ``target``), the wards seeded."""
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    with connect(database_url) as conn:
        upgrade(conn, schema, requested=FLAVOUR, target=target)
    with connect(database_url, schema, autocommit=True) as conn:
        seed_wards(conn, wards())
    return schema


def remove_schema(database_url: str, schema: str) -> None:
    with psycopg.connect(database_url, autocommit=True) as conn:
        drop_schema(conn, schema)


@pytest.fixture
def db_schema(database_url: str) -> Iterator[str]:
    """A fresh schema with every migration applied and the wards seeded."""
    schema = make_schema(database_url)
    yield schema
    remove_schema(database_url, schema)


@pytest.fixture
def db(database_url: str, db_schema: str) -> Iterator[psycopg.Connection[Any]]:
    """An autocommit connection to the test's schema."""
    with connect(database_url, db_schema, autocommit=True) as conn:
        yield conn
