"""Retention follows the settings on both flavours, and ``ioc db maintain`` says what it did.

Data goes in through the write path.  On plain PostgreSQL ``maintain`` drops
partitions and rollup rows itself; on TimescaleDB it sets the policies and the
background jobs drop chunks -- the test runs those jobs now instead of waiting
for their schedule.  Either way the same rows must be gone afterwards.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql

from cli.main import main
from ioc.config import Settings
from ioc.model import BatchRows, EventRow, Policies, ReadingRow
from ioc.store.maintenance import maintain
from ioc.store.writer import write_batch
from tests.services import FLAVOUR

POLICIES = Policies(
    raw=timedelta(days=400), minute_rollups=timedelta(days=90), compress_after=timedelta(days=7)
)


def _ages(db: psycopg.Connection[Any], query: str, now: datetime) -> set[int]:
    return {(now - r[0]).days for r in db.execute(query)}


def test_old_data_goes_as_the_settings_say(db: psycopg.Connection[Any]) -> None:
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    ages = (500, 100, 1)
    write_batch(
        db,
        BatchRows(
            readings=[
                ReadingRow(now - timedelta(days=d), "27694", "aq-1", "pm25", float(d)) for d in ages
            ],
            events=[
                EventRow(
                    now - timedelta(days=d), "27694", "egov", "vb", f"d{d}", "document.issued", {}
                )
                for d in ages
            ],
        ),
    )
    done = maintain(db, POLICIES, now)
    assert done.flavour == FLAVOUR
    if FLAVOUR == "timescale":  # the policies' jobs, run now rather than on their schedule
        assert {(j.table, j.kind) for j in done.jobs} >= {(t, "retention") for t in
                ("readings", "events", "readings_1m", "readings_1h")}  # fmt: skip
        for job in done.jobs:
            if job.kind == "retention":
                db.execute(sql.SQL("CALL run_job({})").format(sql.Literal(job.job_id)))
    assert _ages(db, "SELECT time FROM readings", now) == {100, 1}
    assert _ages(db, "SELECT time FROM events", now) == {100, 1}
    assert _ages(db, "SELECT bucket FROM readings_1h", now) == {100, 1}
    assert _ages(db, "SELECT bucket FROM readings_1m", now) == {1}  # minute rollups: 90 days
    assert _ages(db, "SELECT time FROM event_keys", now) == {100, 1}
    assert done.deleted_event_keys == 1


@pytest.fixture
def cli_env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Settings:
    monkeypatch.setenv("IOC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("IOC_DB_SCHEMA", settings.db_schema)
    return settings


@pytest.mark.flavour("plain")
def test_maintain_on_plain_postgresql(
    cli_env: Settings,
    db: psycopg.Connection[Any],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    old = datetime.now(UTC) - timedelta(days=30)
    write_batch(db, BatchRows(readings=[ReadingRow(old, "27694", "aq-1", "pm25", 1.0)]))
    assert main(["db", "maintain"]) == 0
    out = capsys.readouterr().out
    assert "flavour: plain" in out and "dropped 0 partitions and 0 rollup rows" in out
    assert "no compression on plain PostgreSQL" in out
    monkeypatch.setenv("IOC_INGEST__RETENTION_DAYS", "20")
    monkeypatch.setenv("IOC_DB_MINUTE_ROLLUP_DAYS", "20")
    assert main(["db", "maintain"]) == 0
    out = capsys.readouterr().out
    assert "dropped 2 partitions and 2 rollup rows" in out  # the week of readings and events
    assert db.execute("SELECT count(*) FROM readings").fetchone() == (0,)


@pytest.mark.flavour("timescale")
def test_maintain_on_timescaledb_reports_the_jobs(
    cli_env: Settings, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["db", "maintain"]) == 0
    out = capsys.readouterr().out
    assert "flavour: timescale" in out and "policies match the settings" in out
    assert "retention and compression run as TimescaleDB background jobs:" in out
    jobs = [line for line in out.splitlines() if line.startswith("  job ")]
    assert len(jobs) == 8  # retention and columnstore for readings, events and both rollups
    assert any("readings_1m retention after 90 days" in j for j in jobs)
    assert any("events columnstore after 7 days" in j for j in jobs)
