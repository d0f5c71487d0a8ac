"""Mosquitto fixtures: each test gets its own topic root, so tests never see each other's traffic."""

from __future__ import annotations

import socket
import uuid
from urllib.parse import urlsplit

import pytest

from tests.services import MQTT_URL, unavailable


@pytest.fixture(scope="session")
def mqtt_url() -> str:
    parts = urlsplit(MQTT_URL)
    try:
        socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 1883), 3).close()
    except OSError as exc:
        unavailable("Mosquitto", exc)
    return MQTT_URL


@pytest.fixture
def topic_root(mqtt_url: str) -> str:
    return f"t{uuid.uuid4().hex[:10]}/v1"
