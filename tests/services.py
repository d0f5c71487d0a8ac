"""Where the test services are, and what to do when one is missing.

A missing service skips the tests that need it on a developer's machine and
fails them when ``IOC_REQUIRE_SERVICES=1`` (CI sets it).
"""

from __future__ import annotations

import os

import pytest

DATABASE_URL = os.environ.get(
    "IOC_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/ioc_test"
)
REDIS_URL = os.environ.get("IOC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
MQTT_URL = os.environ.get("IOC_TEST_MQTT_URL", "mqtt://127.0.0.1:1884")


def unavailable(service: str, exc: BaseException) -> None:
    msg = f"{service} is not reachable: {exc}"
    if os.environ.get("IOC_REQUIRE_SERVICES") == "1":
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)
