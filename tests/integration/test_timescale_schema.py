"""TimescaleDB internals: hypertables, columnstore and retention policies, and the conversion
of an existing deployment's continuous aggregates.  Only under ``IOC_TEST_FLAVOUR=timescale``.

What callers see (tables, columns, exact rollups, retention) is tested on both
flavours elsewhere; these tests check the catalogue and the jobs, which only
TimescaleDB has.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest
from psycopg import sql

from cli.main import main
from ioc.config import Settings
from ioc.model import BatchRows, Policies, ReadingRow
from ioc.store.db import connect
from ioc.store.maintenance import apply_policies, job_states
from ioc.store.migrate import current_version, latest_version, upgrade
from ioc.store.writer import write_batch
from tests.fix_db import make_schema, remove_schema

pytestmark = pytest.mark.flavour("timescale")

HYPERTABLES = {"readings", "events", "readings_1m", "readings_1h"}


def _exact(db: psycopg.Connection[Any]) -> None:
    """Both rollups hold, bucket by bucket, what the raw readings say."""
    for table, unit in (("readings_1m", "minute"), ("readings_1h", "hour")):
        diff = db.execute(
            f"""
            WITH raw AS (
                SELECT ward_code, metric, date_trunc('{unit}', time, 'UTC') AS bucket,
                       count(*) AS count, sum(value) AS sum, min(value) AS min, max(value) AS max
                FROM readings GROUP BY 1, 2, 3)
            SELECT count(*) FROM raw FULL JOIN {table} r USING (ward_code, metric, bucket)
            WHERE raw.count IS DISTINCT FROM r.count OR raw.sum IS DISTINCT FROM r.sum
               OR raw.min IS DISTINCT FROM r.min OR raw.max IS DISTINCT FROM r.max
            """
        ).fetchone()
        assert diff == (0,), table


def _run_jobs(db: psycopg.Connection[Any], kind: str) -> None:
    for job in job_states(db):
        if job.kind == kind:
            db.execute(sql.SQL("CALL run_job({})").format(sql.Literal(job.job_id)))


def test_hypertables_chunks_and_columnstore(db: psycopg.Connection[Any], db_schema: str) -> None:
    dims = dict(
        db.execute(
            "SELECT hypertable_name, time_interval FROM timescaledb_information.dimensions "
            "WHERE hypertable_schema = %s",
            (db_schema,),
        ).fetchall()
    )
    assert dims == {
        "readings": timedelta(days=7),
        "events": timedelta(days=30),
        "readings_1m": timedelta(days=7),
        "readings_1h": timedelta(days=30),
    }
    settings = {
        r[0]: (r[1], r[2])
        for r in db.execute(
            "SELECT c.relname, s.segmentby, s.orderby "
            "FROM timescaledb_information.hypertable_columnstore_settings s "
            "JOIN pg_class c ON c.oid = s.hypertable WHERE c.relnamespace = %s::regnamespace",
            (db_schema,),
        )
    }
    assert settings["readings"] == ("metric", 'device_id,"time" DESC')
    assert settings["readings_1m"] == ("metric", "ward_code,bucket DESC")
    assert settings["readings_1h"] == ("metric", "ward_code,bucket DESC")
    caggs = db.execute(
        "SELECT count(*) FROM timescaledb_information.continuous_aggregates WHERE view_schema = %s",
        (db_schema,),
    ).fetchone()
    assert caggs == (0,)
    assert {(j.table, j.kind) for j in job_states(db)} == {
        (t, k) for t in HYPERTABLES for k in ("retention", "columnstore")
    }


def test_policies_follow_the_settings(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    short = Policies(timedelta(days=30), timedelta(days=10), timedelta(days=3))
    with connect(settings.database_url, settings.db_schema, autocommit=True) as db:
        assert len(apply_policies(db, short)) == 8
        got = {(j.table, j.kind): j.after for j in job_states(db)}
        assert apply_policies(db, short) == []
    assert got == {
        ("readings", "retention"): timedelta(days=30),
        ("events", "retention"): timedelta(days=30),
        ("readings_1h", "retention"): timedelta(days=30),
        ("readings_1m", "retention"): timedelta(days=10),
        **{(t, "columnstore"): timedelta(days=3) for t in HYPERTABLES},
    }
    # `ioc db upgrade` sets them back from the settings.
    monkeypatch.setenv("IOC_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("IOC_DB_SCHEMA", settings.db_schema)
    monkeypatch.setenv("IOC_DB_MINUTE_ROLLUP_DAYS", "45")
    assert main(["db", "upgrade"]) == 0
    out = capsys.readouterr().out
    assert "policy: readings_1m retention after 10 days -> 45 days" in out
    assert "policy: readings columnstore after 3 days -> 7 days" in out
    assert "policy: readings retention after 30 days -> 400 days" in out


def test_late_readings_into_the_columnstore_count_once(db: psycopg.Connection[Any]) -> None:
    """Chunks compressed by the policy still take late and redelivered readings exactly."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    history = [
        ReadingRow(now - timedelta(days=d, minutes=m), w, f"covid-{w}", "covid_new_cases", d + m)
        for d in range(8, 40)
        for m in (0, 1)
        for w in ("27694", "27688")
    ]
    write_batch(db, BatchRows(readings=history))
    _run_jobs(db, "columnstore")
    compressed = db.execute(
        "SELECT hypertable_name, count(*) FILTER (WHERE is_compressed) "
        "FROM timescaledb_information.chunks WHERE hypertable_schema = current_schema() "
        "GROUP BY 1"
    ).fetchall()
    assert all(n > 0 for _t, n in compressed) and len(compressed) == 3  # not events: none
    late = [
        ReadingRow(
            now - timedelta(days=20, seconds=30), "27694", "covid-27694", "covid_new_cases", 7.0
        ),
        ReadingRow(now - timedelta(days=30, seconds=10), "27688", "aq-1", "pm25", 9.0),
    ]
    write_batch(db, BatchRows(readings=late + history[:10]))  # and redeliveries
    write_batch(db, BatchRows(readings=late))
    assert db.execute("SELECT count(*) FROM readings").fetchone() == (len(history) + 2,)
    _exact(db)


@pytest.fixture
def old_schema(database_url: str) -> Iterator[str]:
    """A schema as the previous release left it on TimescaleDB: version 3, continuous aggregates."""
    schema = make_schema(database_url, "t_v3", target=3)
    yield schema
    remove_schema(database_url, schema)


def test_an_existing_deployment_is_converted_and_refilled(
    database_url: str, old_schema: str
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    with connect(database_url, old_schema, autocommit=True) as db:
        assert current_version(db) == 3
        # What version 3's ingest wrote: raw readings only, the aggregates computed them.
        db.execute(
            """
            INSERT INTO readings (time, ward_code, device_id, metric, value)
            SELECT %(now)s - make_interval(days => d, hours => h), w, 'covid-' || w, m, d * 10 + h
            FROM generate_series(1, 60) d, generate_series(0, 23, 6) h,
                 unnest(ARRAY['27694', '27688']) w,
                 unnest(ARRAY['covid_new_cases', 'vaccinated_dose1']) m
            UNION ALL
            SELECT %(now)s - make_interval(secs => s * 30), '27694', 'aq-' || s %% 5, 'pm25', s %% 40
            FROM generate_series(1, 720) s
            """,
            {"now": now},
        )
        db.execute(
            "SELECT compress_chunk(c) FROM show_chunks('readings', older_than => interval '10 days') c"
        )
        db.execute(
            "CALL refresh_continuous_aggregate('readings_1m', now() - interval '2 hours', now())"
        )
        raw = db.execute("SELECT count(*), sum(value) FROM readings").fetchone()
        assert raw is not None and raw[0] == 60 * 4 * 2 * 2 + 720
    with connect(database_url) as conn:
        done = upgrade(conn, old_schema, requested="auto")
    assert [m.version for m in done.applied] == [4] and done.flavour == "timescale"
    with connect(database_url, old_schema, autocommit=True) as db:
        assert current_version(db) == latest_version("timescale")
        kinds = dict(
            db.execute(
                "SELECT relname, relkind FROM pg_class WHERE relnamespace = %s::regnamespace "
                "AND relname IN ('readings_1m', 'readings_1h')",
                (old_schema,),
            ).fetchall()
        )
        assert kinds == {"readings_1m": "r", "readings_1h": "r"}  # tables, not views
        _exact(db)
        assert db.execute("SELECT sum(count), sum(sum) FROM readings_1h").fetchone() == raw
        procs = {j[0] for j in db.execute(
            "SELECT proc_name FROM timescaledb_information.jobs WHERE hypertable_schema = %s",
            (old_schema,),
        )}  # fmt: skip
        assert procs == {"policy_retention", "policy_compression"}  # no refresh jobs left
        # The new write path folds into the new tables, into compressed chunks too.
        late = now - timedelta(days=30, seconds=1)
        write_batch(db, BatchRows(readings=[ReadingRow(late, "27694", "aq-9", "pm25", 3.0)]))
        _exact(db)
