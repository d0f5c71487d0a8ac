"""Test configuration: service fixtures come in as plugins, one module per service."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ioc.config import Settings, load_settings

pytest_plugins = [
    "tests.fix_db",
    "tests.fix_redis",
    "tests.fix_mqtt",
    "tests.fix_broker",
    "tests.fix_data",
]


@pytest.fixture
def make_settings(
    database_url: str, db_schema: str, redis_prefix: str, topic_root: str
) -> Callable[..., Settings]:
    """Settings pointing at this test's schema, Redis prefix and topic root."""
    from tests.services import MQTT_URL, REDIS_URL

    def make(**overrides: object) -> Settings:
        base: dict[str, object] = {
            "database_url": database_url,
            "db_schema": db_schema,
            "redis_url": REDIS_URL,
            "redis_prefix": redis_prefix,
            "mqtt_url": MQTT_URL,
            "topic_root": topic_root,
        }
        base.update(overrides)
        return load_settings(**base)

    return make


@pytest.fixture
def settings(make_settings: Callable[..., Settings]) -> Settings:
    return make_settings()
