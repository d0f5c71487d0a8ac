"""Migrations against a real PostgreSQL: idempotent, versioned, the public tables present."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from cli.main import main
from ioc.store.db import connect
from ioc.store.maintenance import apply_retention
from ioc.store.migrate import current_version, flavour, migrations, upgrade

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


def test_upgrade_twice_is_a_noop(database_url: str, db_schema: str) -> None:
    with psycopg.connect(database_url) as conn:
        assert upgrade(conn, db_schema) == []
    with psycopg.connect(database_url) as conn:
        conn.execute(f"SET search_path TO {db_schema}")
        assert current_version(conn) == len(migrations("plain"))
        assert flavour(conn) == "plain"


def test_public_tables_and_columns(db: psycopg.Connection[Any], db_schema: str) -> None:
    rows = db.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
        (db_schema,),
    ).fetchall()
    assert {r[0] for r in rows} >= PUBLIC_TABLES
    cols = {
        r[0]
        for r in db.execute(
            "SELECT column_name FROM information_schema.columns "
            "WHERE table_schema = %s AND table_name = 'readings_1h'",
            (db_schema,),
        )
    }
    assert {"ward_code", "metric", "bucket", "avg", "min", "max", "count"} <= cols


def test_wards_seeded(db: psycopg.Connection[Any]) -> None:
    rows = db.execute("SELECT code, name, kind FROM wards ORDER BY code").fetchall()
    assert len(rows) == 14
    assert ("27694", "Phường 1", "ward") in rows
    assert sum(1 for r in rows if r[2] == "commune") == 5


def test_partitions_created_on_demand(db: psycopg.Connection[Any]) -> None:
    name = db.execute(
        "SELECT ensure_partition('readings', '2026-11-26T08:00:00+07'::timestamptz)"
    ).fetchone()
    assert name == ("readings_p20261123",)
    again = db.execute(
        "SELECT ensure_partition('readings', '2026-11-29T23:59:59Z'::timestamptz)"
    ).fetchone()
    assert again == name
    dropped = db.execute(
        "SELECT drop_partitions_before('readings', '2026-12-01T00:00:00Z')"
    ).fetchone()
    assert dropped == (1,)


def test_timescale_variant_has_same_shape() -> None:
    plain = [(m.version, m.name) for m in migrations("plain")]
    ts = [(m.version, m.name) for m in migrations("timescale")]
    assert plain == ts
    ts_sql = migrations("timescale")[1].sql
    for needle in (
        "create_hypertable",
        "add_compression_policy",
        "add_retention_policy",
        "timescaledb.continuous",
    ):
        assert needle in ts_sql


def test_db_upgrade_command_twice(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    schema = f"t_cli_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("IOC_DATABASE_URL", database_url)
    monkeypatch.setenv("IOC_DB_SCHEMA", schema)
    try:
        assert main(["db", "upgrade", "--plain"]) == 0
        first = capsys.readouterr().out
        assert "applied 001_core" in first and "14 wards seeded" in first
        assert main(["db", "upgrade"]) == 0
        second = capsys.readouterr().out
        assert "applied" not in second and f"schema {schema!r} at version 3 (plain)" in second
    finally:
        with psycopg.connect(database_url, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def test_retention_drops_old_partitions_rollups_and_event_keys(db: psycopg.Connection[Any]) -> None:
    now = datetime.now(UTC)
    old, new = (now - timedelta(days=500)).isoformat(), (now - timedelta(days=1)).isoformat()
    for ts in (old, new):
        db.execute("SELECT ensure_partition('readings', %s::timestamptz)", (ts,))
        db.execute("SELECT ensure_partition('events', %s::timestamptz)", (ts,))
        db.execute("INSERT INTO readings VALUES (%s, '27694', 'aq-1', 'pm25', 1.0)", (ts,))
        db.execute("INSERT INTO readings_1h VALUES ('27694', 'pm25', %s, 1, 1, 1, 1, 1)", (ts,))
        db.execute("INSERT INTO event_keys VALUES ('src', %s, %s)", (ts, ts))
    dropped = apply_retention(db, timedelta(days=400))
    assert dropped == 2  # the old week of readings and of events
    assert db.execute("SELECT count(*) FROM readings").fetchone() == (1,)
    assert db.execute("SELECT count(*) FROM readings_1h").fetchone() == (1,)
    assert db.execute("SELECT event_id FROM event_keys").fetchall() == [(new,)]


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
                        conn.execute("SELECT ensure_partition('readings', %s)", (week,))
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
