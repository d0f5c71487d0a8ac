"""The wall's VN_AQI from stored readings: hourly means out of the hourly rollup, NowCast on them.

Readings go in through the public write path (``write_messages``); the hourly
means the store returns, and the index computed from them, are checked against
the values written.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import psycopg
import pytest

from ioc.store.air import ward_air_hourly
from simulators.domains.base import telemetry
from simulators.fleet import Device
from tests.integration.test_queries import write_messages
from vocab.indicators import area_hourly, hourly_aqi


def _monitor(device_id: str, ward: str) -> Device:
    return Device(device_id, "air", "air", ward, 10.535, 106.41, 60.0, 0.0, 1.0, 10_000)


def test_hourly_means_feed_the_nowcast(db: psycopg.Connection[Any]) -> None:
    # An hour back, so that no reading is in the future whatever the minute now.
    top = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1)
    now = top + timedelta(minutes=30)
    a, b = _monitor("aq-a", "27694"), _monitor("aq-b", "27697")
    outs = []
    # Hour h ago (h = 0..3): ward a 40 + 10 h twice, ward b 20 once; no hour 2 in ward b.
    for h in range(4):
        start = top - timedelta(hours=h)
        outs += [telemetry(a, start + timedelta(minutes=m), {"pm25": 40.0 + 10 * h, "no2": 450.0}, False)
                 for m in (1, 20)]  # fmt: skip
        if h != 2:
            outs.append(telemetry(b, start + timedelta(minutes=5), {"pm25": 20.0}, False))
    write_messages(db, outs)

    got = ward_air_hourly(db, None, now)
    assert got["27694"]["pm25"][:5] == [40.0, 50.0, 60.0, 70.0, None]
    assert got["27697"]["pm25"][:4] == [20.0, 20.0, None, 20.0]
    assert ward_air_hourly(db, ["27697"], now).keys() == {"27697"}
    city = area_hourly(got)
    assert city["pm25"][:4] == [30.0, 35.0, 60.0, 45.0]
    result = hourly_aqi(city)
    assert result is not None and result.dominant == "no2" and result.aqi == 125
    # NowCast of 30, 35, 60, 45 (w* = 0.5): (30 + 35/2 + 60/4 + 45/8) / (1 + 1/2 + 1/4 + 1/8)
    assert result.sub["pm25"] == round(2 * ((30 + 17.5 + 15 + 5.625) / 1.875 - 25) + 50)
    assert ward_air_hourly(db, None, now + timedelta(hours=13)) == {}


@pytest.mark.parametrize("hours", [1, 12])
def test_hour_count(db: psycopg.Connection[Any], hours: int) -> None:
    now = datetime.now(UTC).replace(minute=10, second=0, microsecond=0) - timedelta(hours=1)
    write_messages(db, [telemetry(_monitor("aq-c", "27694"), now, {"pm25": 5.0}, False)])
    assert ward_air_hourly(db, None, now, hours)["27694"]["pm25"] == [5.0] + [None] * (hours - 1)
