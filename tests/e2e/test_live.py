"""MQTT to wall: a telemetry message published to the broker shows on the wall within 3 s."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from dash import Dash

from ingest.worker import IngestWorker
from ioc.config import Settings
from ioc.contract import build_topic, encode_telemetry
from ioc.mqtt import Publisher
from tests.e2e.fix_app import screenshot, start_and_login
from tests.ingest_helpers import running_ingest


@pytest.fixture
def ingest(settings: Settings) -> Iterator[IngestWorker]:
    with running_ingest(settings, "test-wall") as service:
        yield service


def test_wall_shows_mqtt_value_within_3s(
    dash_duo: Any, app_factory: Callable[..., Dash], settings: Settings, ingest: IngestWorker
) -> None:
    start_and_login(dash_duo, app_factory(), "kiosk", "/?kiosk=1")
    dash_duo.wait_for_element("#wall-kpi-river", timeout=10)
    time.sleep(3)  # a wall that has settled (first map draw done), as in the control room
    pub = Publisher(settings.mqtt, "test-wall-pub")
    try:
        payload = encode_telemetry(datetime.now(UTC), {"level_m": 1.23})
        topic = build_topic("27694", "water", "wl-test-01", "telemetry", settings.topic_root)
        started = time.monotonic()
        pub.publish(topic, payload)
        dash_duo.wait_for_text_to_equal("#wall-kpi-river-value", "1,23 m", timeout=3)
        elapsed = time.monotonic() - started
        assert pub.flush(2)
        print(f"published -> shown on the wall in {elapsed:.2f} s")
    finally:
        pub.close()
    screenshot(dash_duo, "wall-live")
    assert elapsed < 3.0
    assert dash_duo.get_logs() == []
