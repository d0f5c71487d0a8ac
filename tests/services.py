"""Where the test services are, which database flavour they test, and what to do when one is missing.

A missing service skips the tests that need it on a developer's machine and
fails them when ``IOC_REQUIRE_SERVICES=1`` (CI sets it).

``IOC_TEST_FLAVOUR`` (``plain``, the default, or ``timescale``) is the flavour
every test schema is created with; the same suite runs against a TimescaleDB
server with ``IOC_TEST_FLAVOUR=timescale IOC_TEST_DATABASE_URL=...``.  Tests
that restart PostgreSQL restart the ``pg_ctlcluster`` cluster named by
``IOC_TEST_PG_CLUSTER`` (default ``main``, or ``VERSION/NAME``).
"""

from __future__ import annotations

import os
from typing import cast

import pytest

from ioc.store.flavour import Flavour

DATABASE_URL = os.environ.get(
    "IOC_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/ioc_test"
)
REDIS_URL = os.environ.get("IOC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
MQTT_URL = os.environ.get("IOC_TEST_MQTT_URL", "mqtt://127.0.0.1:1884")
FLAVOUR = cast(Flavour, os.environ.get("IOC_TEST_FLAVOUR", "plain"))
PG_CLUSTER = os.environ.get("IOC_TEST_PG_CLUSTER", "main")

if FLAVOUR not in ("plain", "timescale"):
    raise RuntimeError(f"IOC_TEST_FLAVOUR must be plain or timescale, not {FLAVOUR!r}")


def unavailable(service: str, exc: BaseException) -> None:
    msg = f"{service} is not reachable: {exc}"
    if os.environ.get("IOC_REQUIRE_SERVICES") == "1":
        pytest.fail(msg, pytrace=False)
    pytest.skip(msg)
