"""The read model against real PostgreSQL and Redis: the shared cache, the fallbacks, the errors.

Data goes in through the public write path (``write_messages`` of the query tests:
decode, rows, rules, ``write_batch`` with rollups) and, for live state, through
:meth:`ioc.live.LiveState.apply` as ingest does.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from ioc.cache import QueryCache, cache_key
from ioc.config import Settings
from ioc.contract.catalogue import metric
from ioc.errors import ServiceUnavailable, StoreError
from ioc.live import DeviceValue, LiveState
from ioc.readmodel import DeviceMarker, ReadModel
from ioc.store import queries
from ioc.store.db import Database
from ioc.store.incident_actions import ActionRequest, perform
from ioc.store.records import DossierCounts, IncidentRow
from simulators.domains.base import event, telemetry
from simulators.fleet import Device
from tests.incident_helpers import alarm, open_incident
from tests.integration.test_queries import write_messages

PM25 = metric("air", "pm25")
NO_REDIS = "redis://127.0.0.1:1/0"
Make = Callable[..., ReadModel]


def _device(device_id: str, domain: str, ward: str) -> Device:
    return Device(device_id, domain, domain, ward, 10.535, 106.41, 60.0, 0.0, 1.0, 10_000)


@pytest.fixture
def make(settings: Settings) -> Iterator[Make]:
    made: list[ReadModel] = []

    def build(*, redis_url: str | None = None, ttl_s: float = 5.0) -> ReadModel:
        db = Database.open(settings.database_url, settings.db_schema, max_size=2, name="t-read")
        live = LiveState.from_url(redis_url or settings.redis_url, settings.redis_prefix)
        model = ReadModel(db, live, QueryCache(live, ttl_s))
        made.append(model)
        return model

    yield build
    for model in made:
        model.close()


@pytest.fixture
def stored(db: psycopg.Connection[Any]) -> datetime:
    """Five minutes of two air monitors, a river gauge and a few dossiers, written the way
    ingest writes them, and a flood alarm's incident; returns the newest time."""
    now = datetime.now(UTC).replace(microsecond=0)
    aq1, aq2 = _device("aq-1", "air", "27694"), _device("aq-2", "air", "27697")
    gauge, desk = _device("wl-1", "water", "27694"), _device("dvc-1", "services", "27694")
    outs = []
    for i in range(5):
        at = now - timedelta(minutes=4 - i)
        outs += [telemetry(aq1, at, {"pm25": 20.0 + i}, position=i == 0),
                 telemetry(aq2, at, {"pm25": 160.0 + i}, position=False),
                 telemetry(gauge, at, {"level_m": 1.2 + i / 10}, position=True)]  # fmt: skip
    for i, channel in enumerate(("online", "online", "in_person")):
        attrs = {"dossier": f"D{i}", "channel": channel, "level": 4, "procedure": "Hộ tịch"}
        outs.append(event(desk, now - timedelta(minutes=i), f"e{i}", "dossier.received", attrs))
    write_messages(db, outs)
    open_incident(db, alarm("27697", 45.0, at=now))
    return now


def test_a_cached_answer_is_the_typed_value_a_fresh_one_is(
    make: Make, stored: datetime, db: psycopg.Connection[Any]
) -> None:
    cached, fresh = make(), make(ttl_s=0)
    first = cached.query(queries.incidents, None)
    assert [(i.ward_code, i.kind, i.status) for i in first] == [
        ("27697", "flood_depth_cm.alarm", "open")
    ]
    key = cache_key(queries.incidents, (None,), {}, skip=1)
    assert cached.live.cache_get(key) is not None
    # The database moves on; for the TTL every worker sees the answer in Redis.
    perform(db, first[0].id, ActionRequest("ack", "test"), lambda _ward: None)
    again = make().query(queries.incidents, None)
    assert again == first and all(type(a) is IncidentRow for a in again)
    assert again[0].opened_at == first[0].opened_at and again[0].opened_at.utcoffset() is not None
    assert fresh.query(queries.incidents, None)[0].status == "acknowledged"
    # Another argument is another question: never answered from this entry.
    assert make().query(queries.incidents, None, status="acknowledged")[0].status == "acknowledged"
    since = stored - timedelta(hours=1)
    counts = make().query(queries.dossier_summary, ["27694"], since)
    assert counts == make().query(queries.dossier_summary, ["27694"], since)
    assert isinstance(counts, DossierCounts) and (counts.received, counts.online) == (3, 2)
    assert counts.online_pct == pytest.approx(200 / 3)


def test_live_values_latest_and_positions(make: Make, stored: datetime, settings: Settings) -> None:
    model = make(ttl_s=0)
    live = model.live
    now = time.time()
    live.apply(
        [DeviceValue("aq-1", "27694", "air", "pm25", 30.0, now),  # no position: the stored one
         DeviceValue("aq-2", "27697", "air", "pm25", 50.0, now, 10.6, 106.5),
         DeviceValue("aq-9", "27700", "air", "pm25", 10.0, now),  # never located anywhere
         DeviceValue("fd-1", "27700", "water", "flood_depth_cm", 100.0, now),  # alarm (30 cm)
         DeviceValue("fd-2", "27700", "water", "flood_depth_cm", 12.0, now - 400),  # late
         DeviceValue("covid-27700", "27700", "health", "covid_new_cases", 3.0, now - 43_200)],
        statuses={"aq-2": False},
        now=now,
    )  # fmt: skip
    values = model.ward_values(PM25, ["27694", "27697", "27700", "27703"])
    assert values == {"27694": 30.0, "27697": 50.0, "27700": 10.0, "27703": None}
    assert model.latest(["aq-1", "wl-1"]) == {"aq-1": {"pm25": (30.0, now)}, "wl-1": {}}
    markers = model.device_markers("air", ["27694", "27697", "27700"])
    assert sorted(markers, key=lambda m: m.device_id) == [
        DeviceMarker("aq-1", 10.535, 106.41, "ok"),
        DeviceMarker("aq-2", 10.6, 106.5, "offline"),  # reported offline (last will)
    ]
    assert model.device_counts(["27694", "27697"]) == {"ok": 1, "offline": 1}
    # The flood sensor at 100 cm is in alarm; a 2-minute feed silent for ~7 minutes is
    # late; the daily COVID report of twelve hours ago is fine.
    assert model.device_states(["27700"]) == {
        "aq-9": "ok", "fd-1": "alarm", "fd-2": "late", "covid-27700": "ok",
    }  # fmt: skip
    assert model.version() == live.version() > 0
    feed = model.feed()
    assert feed.live and feed.last_update == pytest.approx(now)


def test_without_redis_the_store_answers(make: Make, stored: datetime) -> None:
    model = make(redis_url=NO_REDIS)
    # Every panel that the database can answer still gets its typed answer, uncached.
    assert model.query(queries.dossier_summary, None, stored - timedelta(hours=1)).received == 3
    # Ward values: the last hour of the minute rollup (mean of bucket means).
    values = model.ward_values(PM25, ["27694", "27697", "27700"])
    assert values == pytest.approx({"27694": 22.0, "27697": 162.0, "27700": None})
    level = model.ward_values(metric("water", "level_m"), ["27694"])
    assert level == pytest.approx({"27694": 1.6})  # the highest, as the catalogue says
    # Latest values: the newest stored reading of each metric.
    latest = model.latest(["aq-1", "aq-2", "nope"])
    assert latest["aq-1"] == {"pm25": (24.0, stored.timestamp())}
    assert latest["aq-2"]["pm25"][0] == 164.0 and latest["nope"] == {}
    # The change signal ticks every 10 s; the badge learns live state is unavailable.
    assert model.version() == -int(time.time() // 10)
    assert not model.feed().live
    with pytest.raises(ServiceUnavailable):
        model.devices()


def test_driver_errors_leave_the_database_adapter_as_our_own(settings: Settings) -> None:
    down = Database.open("postgresql://postgres@127.0.0.1:1/none", max_size=1, timeout=1)
    try:
        with pytest.raises(ServiceUnavailable) as caught:
            down.run(queries.ward_rows)
        assert isinstance(caught.value.__cause__, psycopg.OperationalError)
    finally:
        down.close()
    up = Database.open(settings.database_url, settings.db_schema, max_size=1)
    try:
        with pytest.raises(StoreError) as refused:
            up.run(lambda conn: conn.execute("SELECT * FROM no_such_table"))
        assert isinstance(refused.value.__cause__, psycopg.errors.UndefinedTable)
        assert [w.code for w in up.run(queries.ward_rows)][:1] == ["27685"]
    finally:
        up.close()


def test_pages_clock_ticks_with_the_cache(make: Make) -> None:
    model = make(ttl_s=5)
    at = model.now()
    assert at.tzinfo is not None and at.timestamp() % 5 == 0
    assert datetime.now(UTC) - at < timedelta(seconds=5)
    assert make(ttl_s=0).now() - datetime.now(UTC) < timedelta(seconds=1)
