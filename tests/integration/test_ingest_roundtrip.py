"""Ingest end to end through real Mosquitto, PostgreSQL and Redis."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

from geodata.boundaries import import_boundaries
from geodata.registry import ward
from ingest.worker import IngestWorker
from ioc.config import Settings
from ioc.contract import CITY, build_topic, encode_event, encode_telemetry
from ioc.live import LiveState
from ioc.store.wards import upsert_boundaries
from tests.ingest_helpers import (
    count,
    publish_all,
    running_ingest,
    telemetry_messages,
    wait_for,
)


@pytest.fixture
def service(settings: Settings) -> Iterator[IngestWorker]:
    with running_ingest(settings, "test-ingest") as svc:
        yield svc


def test_round_trip_rows_rollups_and_live_state(
    service: IngestWorker,
    settings: Settings,
    db: psycopg.Connection[Any],
    redis_client: redis.Redis,
) -> None:
    n = 1000
    msgs = telemetry_messages(settings.topic_root, n)
    publish_all(settings, msgs)
    assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") >= n, 30)
    assert count(db, "SELECT count(*) FROM readings") == n
    # Rollups count every reading exactly once.
    assert count(db, "SELECT sum(count) FROM readings_1m") == n
    assert count(db, "SELECT sum(count) FROM readings_1h") == n
    row = db.execute("SELECT sum(sum) / sum(count), min(min), max(max) FROM readings_1h").fetchone()
    raw = db.execute("SELECT avg(value), min(value), max(value) FROM readings").fetchone()
    assert row is not None and raw is not None
    assert row[0] == pytest.approx(raw[0]) and row[1:] == raw[1:]
    assert count(db, "SELECT count(*) FROM devices") == 10
    # Redis holds each device's newest value.
    live = LiveState(redis_client, settings.redis_prefix)
    last_of_dev0 = json.loads(msgs[n - 10][1])["values"]["pm25"]
    assert wait_for(lambda: live.latest("aq-000").get("pm25", (None,))[0] == last_of_dev0)
    summary = live.ward_summary("27694")["pm25"]
    assert summary["n"] == 2  # aq-000 and aq-005 are in 27694
    assert len(live.devices()) == 10


def test_redelivery_makes_no_second_row(
    service: IngestWorker, settings: Settings, db: psycopg.Connection[Any]
) -> None:
    n = 500
    msgs = telemetry_messages(settings.topic_root, n)
    publish_all(settings, msgs)
    publish_all(settings, msgs)
    assert wait_for(lambda: service.counters["messages"] >= 2 * n, 30)
    assert count(db, "SELECT count(*) FROM readings") == n
    assert count(db, "SELECT sum(count) FROM readings_1m") == n
    assert service.counters["duplicate_readings"] == n


def test_redis_down_does_not_stop_the_database_path(
    make_settings: Callable[..., Settings], db: psycopg.Connection[Any]
) -> None:
    # Point live state at a port where no Redis listens: the database path must go on.
    settings = make_settings(redis_url="redis://127.0.0.1:1/0")
    with running_ingest(settings, "test-ingest") as svc:
        publish_all(settings, telemetry_messages(settings.topic_root, 200))
        assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") == 200, 30)
        assert svc.counters["redis_errors"] > 0


def test_coordinates_are_located_in_wards(
    settings: Settings, db: psycopg.Connection[Any], ward_geojson: Path
) -> None:
    """With real boundaries imported, ingest assigns each coordinate its ward (point-in-ward)."""
    upsert_boundaries(db, import_boundaries(ward_geojson).rows(), "test")
    p1 = ward("27694")  # Phường 1's facts centroid lies inside Phường 1
    with running_ingest(settings, "test-locate"):
        now = datetime.now(UTC)
        root = settings.topic_root
        publish_all(settings, [
            # A device registered to Phường 3 but standing in Phường 1.
            (build_topic("27697", "air", "aq-moved", "telemetry", root),
             encode_telemetry(now, {"pm25": 12.0}, lat=p1.lat, lon=p1.lon)),
            (build_topic("27694", "reports", "app", "event", root),
             encode_event(now, "r-1", "report.created", {"lat": p1.lat, "lon": p1.lon, "category": "khac"})),
            # Far outside the city: no ward.
            (build_topic("27694", "reports", "app", "event", root),
             encode_event(now, "r-2", "report.created", {"lat": 10.9, "lon": 106.9})),
        ])  # fmt: skip
        assert wait_for(lambda: count(db, "SELECT count(*) FROM events") == 2, 20)
        assert wait_for(lambda: count(db, "SELECT count(*) FROM devices") == 1, 20)
    live = LiveState(redis.Redis.from_url(settings.redis_url), settings.redis_prefix)
    assert wait_for(lambda: "lat" in live.devices().get("aq-moved", {}))
    assert float(live.devices()["aq-moved"]["lat"]) == p1.lat  # the map places it from here
    meta = db.execute("SELECT ward_code, meta FROM devices WHERE device_id = 'aq-moved'").fetchone()
    assert meta == ("27697", {"located_ward": "27694"})
    attrs = dict(db.execute("SELECT event_id, attrs->>'located_ward' FROM events").fetchall())
    assert attrs == {"r-1": "27694", "r-2": None}


def test_incidents_open_at_their_time_and_resolve_when_the_cause_ends(
    service: IngestWorker, settings: Settings, db: psycopg.Connection[Any]
) -> None:
    """The default rules through the broker: street flooding past 30 cm held for 5 minutes
    opens one incident at the reading that completed the hold; back under 7 cm (10 cm less
    the hysteresis) for 20 minutes resolves it, as a security alert's resolution does."""
    root = settings.topic_root
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=40)
    fd = build_topic("27694", "water", "fd-1", "telemetry", root)
    soc = build_topic("27694", "security", "soc", "event", root)
    raised = {"severity": "high", "kind": "malware", "text": "Mã độc", "alert": "a-1"}
    publish_all(settings, [
        (fd, encode_telemetry(t0, {"flood_depth_cm": 40.0})),
        (soc, encode_event(t0, "a-1", "alert.raised", raised)),
    ])  # fmt: skip
    assert wait_for(lambda: count(db, "SELECT count(*) FROM incidents") == 1, 20)
    publish_all(
        settings, [(fd, encode_telemetry(t0 + timedelta(minutes=6), {"flood_depth_cm": 42.0}))]
    )
    assert wait_for(lambda: count(db, "SELECT count(*) FROM incidents") == 2, 20)
    opened = db.execute("SELECT opened_at FROM incidents WHERE domain = 'water'").fetchone()
    assert opened == (t0 + timedelta(minutes=6),), "an incident opens when its rule fires"
    publish_all(settings, [
        (fd, encode_telemetry(t0 + timedelta(minutes=7), {"flood_depth_cm": 5.0})),
        (soc, encode_event(t0 + timedelta(minutes=8), "r-1", "alert.resolved", {"alert": "a-1"})),
    ])  # fmt: skip
    assert wait_for(
        lambda: count(db, "SELECT count(*) FROM incidents WHERE status = 'resolved'") == 1, 20
    )
    publish_all(
        settings, [(fd, encode_telemetry(t0 + timedelta(minutes=28), {"flood_depth_cm": 4.0}))]
    )
    assert wait_for(
        lambda: count(db, "SELECT count(*) FROM incidents WHERE status = 'resolved'") == 2, 20
    )
    log = db.execute(
        "SELECT action, note FROM incident_log WHERE action = 'auto_resolve' ORDER BY note"
    ).fetchall()
    assert log == [("auto_resolve", "alarm_cleared"), ("auto_resolve", "alert.resolved")]
    assert service.counters["incidents_resolved"] == 2


def test_city_level_alerts_correlated_causes_and_escalation_end_to_end(
    service: IngestWorker, settings: Settings, db: psycopg.Connection[Any]
) -> None:
    """Through the broker: a city-level alert has no ward; a flood alarm, a field alert and a
    citizen report of one ward become one incident with three causes; a rising value
    escalates it with a log row; telemetry under the city code is refused."""
    root = settings.topic_root
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=20)
    soc = build_topic(CITY, "security", "soc-city", "event", root)
    fd = build_topic("27694", "water", "fd-1", "telemetry", root)
    field = build_topic("27694", "alerts", "field-27694", "event", root)
    app = build_topic("27694", "reports", "pakn-27694", "event", root)
    # The flood rule holds 5 minutes before it fires, and as long before it escalates.
    publish_all(settings, [
        (soc, encode_event(t0, "a-9", "alert.raised", {"severity": "high", "text": "Mã độc"})),
        (fd, encode_telemetry(t0, {"flood_depth_cm": 36.8})),
        (fd, encode_telemetry(t0 + timedelta(minutes=5), {"flood_depth_cm": 36.8})),
    ])  # fmt: skip
    assert wait_for(lambda: count(db, "SELECT count(*) FROM incidents") == 2, 20)
    publish_all(settings, [
        (field, encode_event(t0 + timedelta(minutes=6), "f-1", "flood.reported", {"text": "Ngập"})),
        (app, encode_event(t0 + timedelta(minutes=7), "r-1", "report.created",
                           {"category": "ngap_ung", "text": "Nước ngập tới gối"})),
        (fd, encode_telemetry(t0 + timedelta(minutes=8), {"flood_depth_cm": 111.6})),
        (build_topic(CITY, "water", "fd-x", "telemetry", root),
         encode_telemetry(t0, {"flood_depth_cm": 5.0})),
    ])  # fmt: skip
    publish_all(
        settings, [(fd, encode_telemetry(t0 + timedelta(minutes=13), {"flood_depth_cm": 111.6}))]
    )
    assert wait_for(lambda: count(db, "SELECT count(*) FROM incident_causes") == 4, 20)
    assert wait_for(lambda: count(db, "SELECT count(*) FROM dead_letters") == 1, 20)
    assert count(db, "SELECT count(*) FROM incidents") == 2
    city = db.execute(
        "SELECT ward_code, severity FROM incidents WHERE domain = 'security'"
    ).fetchone()
    assert city == (None, "high")
    assert count(db, f"SELECT count(*) FROM events WHERE ward_code = '{CITY}'") == 1
    assert wait_for(
        lambda: (
            db.execute(
                "SELECT severity, current_value, peak_value FROM incidents WHERE domain = 'water'"
            ).fetchone()
            == ("critical", 111.6, 111.6)
        ),
        20,
    )
    log = db.execute(
        "SELECT l.action, l.severity_from, l.severity_to FROM incident_log l"
        " JOIN incidents i ON i.id = l.incident_id WHERE i.domain = 'water' ORDER BY l.id"
    ).fetchall()
    # One batch's findings are applied in key order, not arrival order: compare as a set.
    assert log[0] == ("open", None, "high")
    assert sorted(log[1:], key=str) == sorted(
        [("attach", None, None), ("attach", None, None), ("escalate", "high", "critical")], key=str
    )
    kinds = db.execute(
        "SELECT c.kind FROM incident_causes c JOIN incidents i ON i.id = c.incident_id"
        " WHERE i.domain = 'water' ORDER BY c.at"
    ).fetchall()
    assert kinds == [("water.flood_depth",), ("flood.reported",), ("report.created",)]
    reason = db.execute("SELECT reason FROM dead_letters").fetchone()
    assert reason == ("unknown_ward",)
