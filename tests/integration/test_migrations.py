"""Migrations against a real server: idempotent, versioned, the public tables present, the
flavour chosen honestly and kept.

Runs on the flavour under test (``IOC_TEST_FLAVOUR``).  Tests of one flavour's
internals (plain partitions; TimescaleDB hypertables, policies and the
conversion of an existing deployment's continuous aggregates) are marked.
"""

from __future__ import annotations

import logging
import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from cli.main import main
from ioc.errors import StoreError
from ioc.store.db import connect
from ioc.store.flavour import FlavourError, choose, server_facts
from ioc.store.migrate import current_version, flavour, latest_version, require_current, upgrade
from tests.fix_db import make_schema, remove_schema
from tests.services import FLAVOUR

PUBLIC_TABLES = {
    "wards",
    "devices",
    "readings",
    "events",
    "dead_letters",
    "incidents",
    "incident_log",
    "readings_1m",
    "readings_1h",
}
OTHER = "timescale" if FLAVOUR == "plain" else "plain"


def test_upgrade_twice_is_a_noop(database_url: str, db_schema: str) -> None:
    with connect(database_url) as conn:
        again = upgrade(conn, db_schema, requested=FLAVOUR)
    assert again.applied == [] and again.flavour == FLAVOUR
    with connect(database_url, db_schema) as conn:
        assert current_version(conn) == latest_version(FLAVOUR)
        assert flavour(conn) == FLAVOUR


def test_public_tables_and_columns(db: psycopg.Connection[Any], db_schema: str) -> None:
    rows = db.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
        (db_schema,),
    ).fetchall()
    assert {r[0] for r in rows} >= PUBLIC_TABLES
    for rollup in ("readings_1m", "readings_1h"):
        cols = [
            r[0]
            for r in db.execute(
                "SELECT column_name FROM information_schema.columns "
                "WHERE table_schema = %s AND table_name = %s ORDER BY ordinal_position",
                (db_schema, rollup),
            )
        ]
        assert cols == ["ward_code", "metric", "bucket", "avg", "min", "max", "count", "sum"]


def test_wards_seeded(db: psycopg.Connection[Any]) -> None:
    rows = db.execute("SELECT code, name, kind FROM wards ORDER BY code").fetchall()
    assert len(rows) == 14
    assert ("27694", "Phường 1", "ward") in rows
    assert sum(1 for r in rows if r[2] == "commune") == 5


def test_a_schema_keeps_its_flavour(database_url: str, db_schema: str) -> None:
    with connect(database_url) as conn, pytest.raises(FlavourError, match="keeps its flavour"):
        upgrade(conn, db_schema, requested=OTHER)  # type: ignore[arg-type]
    with connect(database_url) as conn:
        assert upgrade(conn, db_schema, requested="auto").flavour == FLAVOUR


def test_auto_says_which_flavour_and_why(
    database_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """``auto`` on this server: the flavour the pure decision gives for its facts, logged once."""
    schema = f"t_auto_{uuid.uuid4().hex[:8]}"
    try:
        with connect(database_url) as conn:
            expected = choose("auto", None, server_facts(conn))
            conn.rollback()
            with caplog.at_level(logging.INFO, logger="ioc.store.migrate"):
                done = upgrade(conn, schema, requested="auto")
        assert (done.flavour, done.reason) == (expected.flavour, expected.reason)
        lines = [r.getMessage() for r in caplog.records if "flavour (" in r.getMessage()]
        assert lines == [f"schema {schema}: {expected.flavour} flavour ({expected.reason})"]
        if FLAVOUR == "plain":  # the development server: no TimescaleDB to be had
            assert done.flavour == "plain"
            assert "not installed" in done.reason or "not preloaded" in done.reason
    finally:
        remove_schema(database_url, schema)


def test_db_upgrade_command_twice(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = f"t_cli_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("IOC_DATABASE_URL", database_url)
    monkeypatch.setenv("IOC_DB_SCHEMA", schema)
    monkeypatch.setenv("IOC_DB_FLAVOUR", FLAVOUR)
    try:
        assert main(["db", "upgrade"]) == 0
        first = capsys.readouterr().out
        assert "applied 001_core" in first and "14 wards seeded" in first
        monkeypatch.delenv("IOC_DB_FLAVOUR")
        assert main(["db", "upgrade"]) == 0
        second = capsys.readouterr().out
        version = latest_version(FLAVOUR)
        assert "applied" not in second and "policy:" not in second
        assert f"schema {schema!r} at version {version} ({FLAVOUR}: " in second
        assert main(["db", "upgrade", "--flavour", OTHER]) == 1
        assert "keeps its flavour" in capsys.readouterr().err
    finally:
        remove_schema(database_url, schema)


def test_writers_refuse_an_older_schema(database_url: str) -> None:
    """A worker of this version must not write to a schema whose rollups are of an older shape."""
    schema = make_schema(database_url, "t_v3", target=3)
    try:
        with connect(database_url, schema) as conn:
            latest = latest_version(FLAVOUR)
            with pytest.raises(
                StoreError, match=f"version 3, this code needs {latest}: run 'ioc db upgrade'"
            ):
                require_current(conn)
            conn.rollback()
            upgrade(conn, schema, requested=FLAVOUR)
            assert require_current(conn) == FLAVOUR
    finally:
        remove_schema(database_url, schema)


@pytest.mark.flavour("plain")
def test_timescale_requested_where_the_server_has_none(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with connect(database_url) as conn:
        facts = server_facts(conn)
    if facts.available is not None:
        pytest.skip("this server has TimescaleDB installed")
    schema = f"t_cli_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("IOC_DATABASE_URL", database_url)
    monkeypatch.setenv("IOC_DB_SCHEMA", schema)
    monkeypatch.setenv("IOC_DB_FLAVOUR", "timescale")
    try:
        assert main(["db", "upgrade"]) == 1
        err = capsys.readouterr().err
        assert "not installed" in err and "shared_preload_libraries = 'timescaledb'" in err
        with connect(database_url, schema) as conn:
            assert flavour(conn) is None  # nothing recorded: a later auto upgrade may choose
    finally:
        remove_schema(database_url, schema)


# ---- plain PostgreSQL internals -----------------------------------------------


@pytest.mark.flavour("plain")
def test_partitions_created_on_demand(db: psycopg.Connection[Any]) -> None:
    name = db.execute(
        "SELECT ensure_partition('readings', '2026-11-26T08:00:00+07'::timestamptz)"
    ).fetchone()
    assert name == ("readings_p20261123",)
    again = db.execute(
        "SELECT ensure_partition('readings', '2026-11-29T23:59:59Z'::timestamptz)"
    ).fetchone()
    assert again == name
    db.execute("SELECT ensure_time_partitions(%s)", ([datetime(2026, 12, 6, 23, tzinfo=UTC)],))
    parts = db.execute(
        "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
        "WHERE i.inhparent IN ('readings'::regclass, 'events'::regclass) ORDER BY 1"
    ).fetchall()
    assert [p[0] for p in parts] == [
        "events_p20261130",
        "readings_p20261123",
        "readings_p20261130",
    ]
    dropped = db.execute(
        "SELECT drop_partitions_before('readings', '2026-12-01T00:00:00Z')"
    ).fetchone()
    assert dropped == (1,)


@pytest.mark.flavour("plain")
def test_concurrent_partition_creation(database_url: str, db_schema: str) -> None:
    """Two workers creating the same new weekly partitions at once: neither may fail."""
    weeks = [datetime(2026, 1, 5, tzinfo=UTC) + timedelta(weeks=i) for i in range(30)]
    errors: list[BaseException] = []
    start = threading.Barrier(4)

    def create(order: list[datetime]) -> None:
        try:
            with connect(database_url, db_schema) as conn:
                start.wait()
                for week in order:
                    with conn.transaction():
                        conn.execute("SELECT ensure_time_partitions(%s)", ([week],))
        except BaseException as exc:
            errors.append(exc)

    threads = [
        threading.Thread(target=create, args=(weeks if i % 2 else weeks[::-1],)) for i in range(4)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
