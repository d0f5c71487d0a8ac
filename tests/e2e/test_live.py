"""MQTT to wall: a telemetry message published to the broker shows on the wall within 3 s."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from dash import Dash

from ingest.service import IngestService
from ioc.config import Settings
from tests.e2e.fix_app import screenshot, start_and_login


@pytest.fixture
def ingest(settings: Settings) -> Iterator[IngestService]:
    service = IngestService(settings)
    service.start()
    assert service.wait_ready(10)
    yield service
    service.stop()


def test_wall_shows_mqtt_value_within_3s(
    dash_duo: Any, app_factory: Callable[..., Dash], settings: Settings, ingest: IngestService
) -> None:
    start_and_login(dash_duo, app_factory(), "kiosk", "/?kiosk=1")
    dash_duo.wait_for_element("#wall-kpi-river", timeout=10)
    time.sleep(3)  # a wall that has settled (first map draw done), as in the control room
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    client.connect(settings.mqtt.host, settings.mqtt.port)
    client.loop_start()
    try:
        payload = {"ts": datetime.now(UTC).isoformat(), "values": {"level_m": 1.23}}
        topic = f"{settings.topic_root}/27694/water/wl-test-01/telemetry"
        started = time.monotonic()
        info = client.publish(topic, json.dumps(payload), qos=1)
        dash_duo.wait_for_text_to_equal("#wall-kpi-river-value", "1,23 m", timeout=3)
        elapsed = time.monotonic() - started
        info.wait_for_publish(2)
        print(f"published -> shown on the wall in {elapsed:.2f} s")
    finally:
        client.loop_stop()
        client.disconnect()
    screenshot(dash_duo, "wall-live")
    assert elapsed < 3.0
    assert dash_duo.get_logs() == []
