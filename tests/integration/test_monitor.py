"""The periodic checks against real PostgreSQL: silent feeds and the hourly VN_AQI open incidents.

Readings and status messages go in through the public write path
(``write_messages``: decode, rows, the store's batch write); the monitor runs with
an injected clock, as ``ioc monitor`` does with the wall clock.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from ingest.monitor import Monitor
from ioc.config import Settings
from ioc.contract import encode_status
from ioc.live import DeviceValue, LiveState
from ioc.rules.loader import RuleSource
from ioc.store.db import Database
from simulators.domains.base import Out, telemetry
from simulators.fleet import Device
from tests.integration.test_queries import write_messages

Conn = psycopg.Connection[Any]
NOW = datetime.now(UTC).replace(microsecond=0)


def dev(device_id: str, domain: str, ward: str = "27694") -> Device:
    return Device(device_id, domain, domain, ward, 10.535, 106.41, 60.0, 0.0, 1.0, 10_000)


def status(d: Device, online: bool, at: datetime) -> Out:
    return Out(at, d.ward, d.domain, d.id, "status", encode_status(online))  # type: ignore[arg-type]


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database.open(settings.database_url, settings.db_schema, max_size=2, name="t-monitor")
    yield db
    db.close()


def monitor_at(database: Database, clock: list[float], live: LiveState | None = None) -> Monitor:
    return Monitor(database, RuleSource(None), live, clock=lambda: clock[0])


@pytest.fixture
def live(settings: Settings) -> Iterator[LiveState]:
    state = LiveState.from_url(settings.redis_url, settings.redis_prefix)
    yield state
    state.close()


def incidents(db: Conn) -> dict[str, tuple[str, str, str]]:
    rows = db.execute(
        "SELECT dedup_key, status, severity, title FROM incidents WHERE dedup_key LIKE 'rule:%'"
    ).fetchall()
    return {r[0]: (r[1], r[2], r[3]) for r in rows}


def test_a_silent_sensor_opens_a_lost_feed_incident_and_its_return_resolves_it(
    db: Conn, database: Database, live: LiveState
) -> None:
    flood, fresh = dev("fd-1", "water"), dev("fd-2", "water")
    covid = dev("covid-27694", "health")
    write_messages(db, [
        telemetry(flood, NOW - timedelta(minutes=30), {"flood_depth_cm": 2.0}, False),
        telemetry(fresh, NOW - timedelta(minutes=1), {"flood_depth_cm": 2.0}, False),
        telemetry(covid, NOW - timedelta(hours=12), {"covid_new_cases": 3.0}, False),
        status(fresh, True, NOW),  # a retained "online" does not make a silent device fresh
    ])  # fmt: skip
    # Live state knows which metrics each device sends (ingest's live updater writes it):
    # a flood-depth sensor's cadence is 2 minutes.
    live.apply([DeviceValue("fd-1", "27694", "water", "flood_depth_cm", 2.0, NOW.timestamp())])
    clock = [NOW.timestamp()]
    m = monitor_at(database, clock, live)
    m.run_once()
    # fd-1 (2-minute cadence, offline after 20 min) is lost; the daily COVID feed of
    # twelve hours ago is not; fd-2 is on time.
    assert incidents(db) == {
        "rule:feed.lost:fd-1": ("open", "medium", "Mất tín hiệu fd-1 (im lặng 30 phút)"),
    }
    log = db.execute(
        "SELECT l.action, l.to_status FROM incident_log l JOIN incidents i ON i.id = l.incident_id"
        " WHERE i.dedup_key = 'rule:feed.lost:fd-1'"
    ).fetchall()
    assert log == [("open", "open")]
    m.run_once()
    assert len(incidents(db)) == 1  # still silent: the same incident, no second one
    write_messages(db, [telemetry(flood, NOW, {"flood_depth_cm": 2.0}, False)])
    clock[0] += 60
    m.run_once()
    assert incidents(db)["rule:feed.lost:fd-1"][0] == "open"  # back, but not for 5 min yet
    clock[0] += 360
    m.run_once()
    assert incidents(db)["rule:feed.lost:fd-1"][0] == "resolved"


def test_without_live_state_a_device_gets_its_domains_slowest_cadence(
    db: Conn, database: Database
) -> None:
    """Redis down: the monitor cannot tell a flood sensor from a salinity probe (both water),
    so it waits for the slowest water cadence (15 min: offline after 150 min) — late, never
    a false alarm."""
    flood = dev("fd-9", "water")
    write_messages(
        db, [telemetry(flood, NOW - timedelta(minutes=30), {"flood_depth_cm": 2.0}, False)]
    )
    clock = [NOW.timestamp()]
    monitor_at(database, clock).run_once()
    assert incidents(db) == {}
    clock[0] += 121 * 60
    monitor_at(database, clock).run_once()
    assert list(incidents(db)) == ["rule:feed.lost:fd-9"]


def test_a_last_will_offline_opens_at_once_and_a_restart_continues(
    db: Conn, database: Database
) -> None:
    air = dev("aq-1", "air")
    write_messages(db, [telemetry(air, NOW - timedelta(minutes=1), {"pm25": 10.0}, False),
                        status(air, False, NOW)])  # fmt: skip
    clock = [NOW.timestamp()]
    monitor_at(database, clock).run_once()
    assert incidents(db)["rule:feed.lost:aq-1"][:2] == ("open", "medium")
    # A new monitor (a restart) continues the active incident: no duplicate, and data
    # plus an "online" status resolve it.
    again = monitor_at(database, clock)
    again.run_once()
    assert db.execute("SELECT count(*) FROM incidents").fetchone() == (1,)
    write_messages(db, [telemetry(air, NOW, {"pm25": 10.0}, False), status(air, True, NOW)])
    again.run_once()
    clock[0] += 301
    again.run_once()
    assert incidents(db)["rule:feed.lost:aq-1"][0] == "resolved"


def test_the_hourly_vn_aqi_opens_a_ward_incident(db: Conn, database: Database) -> None:
    air = dev("aq-2", "air", "27697")
    top = NOW.replace(minute=0, second=0) - timedelta(hours=1)
    outs = [telemetry(air, top - timedelta(hours=h) + timedelta(minutes=m), {"pm25": 200.0}, False)
            for h in range(3) for m in (5, 35)]  # fmt: skip
    write_messages(db, outs)
    clock = [(top + timedelta(minutes=40)).timestamp()]
    monitor_at(database, clock).run_once()
    got = incidents(db)
    # PM2.5 200 µg/m³ -> sub-index 100/100 * (200 - 150) + 200 = 250: Rất xấu, critical.
    assert got["rule:air.vn_aqi:27697"] == ("open", "critical", "VN_AQI 250 (Rất xấu)")
