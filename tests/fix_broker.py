"""A real Mosquitto per test, running the configuration ``ioc broker render`` generates.

The registry: one ingest worker and two gateways (``gw-a`` publishes anything for
ward 27694, ``gw-b`` only air telemetry for 27697), secrets in files made on start.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from geodata.registry import ward_codes
from ioc.broker.local import LocalBroker
from ioc.broker.registry import Gateway, IngestUser, Registry
from ioc.broker.render import find_plugin
from tests.services import unavailable


def broker_registry(folder: Path, ingest: str) -> Registry:
    return Registry(
        ingest=[IngestUser(name=ingest, secret_file=Path("secrets") / ingest)],
        gateways=[
            Gateway(name="gw-a", secret_file=Path("secrets/gw-a"), wards=["27694"]),
            Gateway(
                name="gw-b", secret_file=Path("secrets/gw-b"), wards=["27697"], domains=["air"]
            ),
        ],
        base=folder,
    )


@pytest.fixture
def secure_broker(tmp_path: Path, topic_root: str) -> Iterator[LocalBroker]:
    if shutil.which("mosquitto") is None or find_plugin() is None:
        unavailable("Mosquitto (binary and dynamic-security plugin)", FileNotFoundError())
    folder = tmp_path / "broker"
    ingest = f"ioc-ingest-{uuid.uuid4().hex[:6]}"
    broker = LocalBroker.start(
        broker_registry(folder, ingest), folder, topic_root=topic_root,
        share_group="ioc-ingest", known_wards=ward_codes(),
    )  # fmt: skip
    try:
        yield broker
    finally:
        broker.stop()
        print("--- mosquitto log ---", broker.log_tail(), sep="\n")
