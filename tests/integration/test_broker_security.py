"""The generated broker configuration against a real Mosquitto (issue 12, findings 1-3).

Each test starts ``mosquitto`` with what ``ioc broker render`` writes (fixture
``secure_broker``) and plays the attacker with a gateway's credentials.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg

from ingest.assemble import build_worker
from ingest.worker import IngestWorker
from ioc.broker.local import LocalBroker
from ioc.config import Settings
from ioc.contract import encode_telemetry
from tests.ingest_helpers import count, wait_for
from tests.mqtt_probe import Probe


def _ingest_user(broker: LocalBroker) -> str:
    return broker.registry.ingest[0].name


@contextmanager
def ingest_on(
    broker: LocalBroker, make_settings: Callable[..., Settings]
) -> Iterator[IngestWorker]:
    """The ingest worker, connected as the registry's ingest user (client id = user name)."""
    user = _ingest_user(broker)
    settings = make_settings(mqtt_url=broker.url(user))
    settings = settings.model_copy(
        update={"ingest": settings.ingest.model_copy(update={"client_id": user})}
    )
    svc = build_worker(settings)
    svc.start()
    try:
        assert svc.wait_ready(10), "ingest did not subscribe:\n" + broker.log_tail()
        yield svc
    finally:
        svc.stop()


def _probe(
    broker: LocalBroker, make_settings: Callable[..., Settings], user: str, client_id: str = "",
    **kw: Any,
) -> Probe:  # fmt: skip
    return Probe(make_settings(mqtt_url=broker.url(user)).mqtt, client_id or f"{user}-probe", **kw)


def _reading(root: str, ward: str, device: str, i: int, domain: str = "air") -> tuple[str, bytes]:
    ts = datetime.now(UTC).replace(microsecond=0)
    topic = f"{root}/{ward}/{domain}/{device}/telemetry"
    return topic, encode_telemetry(ts.replace(second=i % 60, minute=(i // 60) % 60), {"pm25": 10.0})


def test_gateway_publishes_only_for_its_wards(
    secure_broker: LocalBroker, make_settings: Callable[..., Settings],
    db: psycopg.Connection[Any], topic_root: str,
) -> None:  # fmt: skip
    with ingest_on(secure_broker, make_settings):
        gw = _probe(secure_broker, make_settings, "gw-a")
        try:
            assert gw.connected
            own = gw.publish(*_reading(topic_root, "27694", "aq-1", 0))
            other = gw.publish(*_reading(topic_root, "27697", "aq-1", 1))
            assert not own.is_failure
            assert other.is_failure, "a gateway published for a ward it does not serve"
        finally:
            gw.close()
        gw_b = _probe(secure_broker, make_settings, "gw-b")
        try:  # gw-b: air telemetry of 27697 only
            assert not gw_b.publish(*_reading(topic_root, "27697", "aq-2", 2)).is_failure
            assert gw_b.publish(*_reading(topic_root, "27697", "flood-1", 3, "water")).is_failure
            event = (f"{topic_root}/27697/security/soc/event", b'{"id": "x", "type": "alert"}')
            assert gw_b.publish(*event).is_failure, "a fake alarm from the wrong source"
        finally:
            gw_b.close()
        assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") >= 2, 10)
        time.sleep(0.5)
        wards = db.execute("SELECT ward_code, device_id FROM readings ORDER BY 1").fetchall()
        assert wards == [("27694", "aq-1"), ("27697", "aq-2")]


def test_gateway_reads_nothing_but_its_own_status(
    secure_broker: LocalBroker, make_settings: Callable[..., Settings], topic_root: str
) -> None:
    gw = _probe(secure_broker, make_settings, "gw-a")
    try:
        for flt in (
            "#",
            "$SYS/#",
            f"{topic_root}/#",
            f"{topic_root}/27694/+/+/telemetry",
            "$share/ioc-ingest/" + topic_root + "/#",
            "$CONTROL/dynamic-security/#",
        ):
            assert gw.subscribe(flt).is_failure, f"gateway may subscribe to {flt}"  # fmt: skip
        own = f"{topic_root}/27694/air/gw-a/status"
        assert not gw.subscribe(f"{topic_root}/+/+/gw-a/status").is_failure
        assert not gw.publish(own, b'"online"').is_failure
        assert gw.wait_messages(1) == [(own, b'"online"')]
    finally:
        gw.close()


def test_unknown_user_and_wrong_password_are_refused(
    secure_broker: LocalBroker, make_settings: Callable[..., Settings]
) -> None:
    base = make_settings(mqtt_url=f"mqtt://127.0.0.1:{secure_broker.port}").mqtt
    anonymous = Probe(base, "anon")
    wrong = Probe(base.model_copy(update={"username": "gw-a", "password": "x" * 32}), "gw-a")
    try:
        assert not anonymous.connected and not wrong.connected
    finally:
        anonymous.close()
        wrong.close()


def test_nobody_else_can_join_the_share_group(
    secure_broker: LocalBroker, make_settings: Callable[..., Settings],
    db: psycopg.Connection[Any], topic_root: str,
) -> None:  # fmt: skip
    """Finding 2: a member of $share/ioc-ingest took half the messages (neither stored nor dead)."""
    with ingest_on(secure_broker, make_settings):
        thief = _probe(secure_broker, make_settings, "gw-b")
        pub = _probe(secure_broker, make_settings, "gw-a")
        try:
            assert thief.subscribe(f"$share/ioc-ingest/{topic_root}/#").is_failure
            for i in range(200):
                assert not pub.publish(*_reading(topic_root, "27694", f"aq-{i % 4}", i)).is_failure
            assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") >= 200, 20)
            assert thief.messages == []
        finally:
            thief.close()
            pub.close()
        assert count(db, "SELECT count(*) FROM readings") == 200


def test_nobody_can_take_over_the_ingest_session(
    secure_broker: LocalBroker, make_settings: Callable[..., Settings],
    db: psycopg.Connection[Any], topic_root: str,
) -> None:  # fmt: skip
    """Finding 2: the worker's client id took its queued messages and wiped its session."""
    with ingest_on(secure_broker, make_settings):
        pass  # subscribed once: the persistent session now queues while the worker is away
    ingest_id = _ingest_user(secure_broker)
    thief = _probe(secure_broker, make_settings, "gw-b", ingest_id, clean_start=True)
    pub = _probe(secure_broker, make_settings, "gw-a")
    try:
        assert thief.connected  # as itself: the broker replaced the client id by "gw-b"
        thief.subscribe(f"{topic_root}/#")
        for i in range(100):
            assert not pub.publish(*_reading(topic_root, "27694", f"aq-{i % 4}", i)).is_failure
        time.sleep(0.5)
        assert thief.messages == []
    finally:
        thief.close()
        pub.close()
    with ingest_on(secure_broker, make_settings):
        assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") >= 100, 20)
    assert count(db, "SELECT count(*) FROM readings") == 100
    assert count(db, "SELECT count(*) FROM dead_letters") == 0


def test_an_offline_gateway_session_queues_nothing(
    secure_broker: LocalBroker, make_settings: Callable[..., Settings], topic_root: str
) -> None:
    """Finding 3: any client could park an offline session that queues the feeds."""
    parked = _probe(secure_broker, make_settings, "gw-b", clean_start=False, session_expiry_s=86400)
    parked.subscribe(f"{topic_root}/#")
    parked.close()
    pub = _probe(secure_broker, make_settings, "gw-a")
    try:
        for i in range(200):
            pub.publish(*_reading(topic_root, "27694", "aq-1", i))
    finally:
        pub.close()
    back = _probe(secure_broker, make_settings, "gw-b", clean_start=False, session_expiry_s=86400)
    try:
        assert back.connected
        assert back.connack is not None
        time.sleep(0.5)
        assert back.messages == []
    finally:
        back.close()


def test_a_payload_over_the_contract_limit_is_refused_by_the_broker(
    secure_broker: LocalBroker, make_settings: Callable[..., Settings],
    db: psycopg.Connection[Any], topic_root: str,
) -> None:  # fmt: skip
    """Finding 3: one 50 MB payload went through the broker into ingest and dead_letters."""
    with ingest_on(secure_broker, make_settings) as svc:
        big = _probe(secure_broker, make_settings, "gw-a")
        try:
            topic = f"{topic_root}/27694/air/aq-big/telemetry"
            ack = big.publish(topic, b'{"values": {"pm25": 1}, "pad": "' + b"x" * 5_000_000 + b'"}')
            assert ack is None or ack.is_failure
            assert big.disconnects, "the broker kept a client that sent 5 MB"
        finally:
            big.close()
        ok = _probe(secure_broker, make_settings, "gw-a", "gw-a-2")
        try:  # a payload at the contract's limit still passes
            at_limit = b'{"values": {"pm25": 1}, "pad": "' + b"x" * (64 * 1024 - 40) + b'"}'
            assert not ok.publish(f"{topic_root}/27694/air/aq-ok/telemetry", at_limit).is_failure
        finally:
            ok.close()
        assert wait_for(lambda: svc.counters["messages"] >= 1, 10)
        time.sleep(0.3)
    assert svc.counters["messages"] == 1
    row = db.execute("SELECT max(octet_length(payload)) FROM dead_letters").fetchone()
    assert row is not None and (row[0] or 0) < 70_000


def test_tls_listener(
    tmp_path: Any, topic_root: str, make_settings: Callable[..., Settings],
    db: psycopg.Connection[Any],
) -> None:  # fmt: skip
    """Finding 1: no TLS listener.  Gateways reach the broker over TLS with the city's CA."""
    from geodata.registry import ward_codes
    from ioc.broker.local import free_port
    from tests.fix_broker import broker_registry
    from tests.tls_certs import make_certs

    certs = make_certs(tmp_path / "certs")
    other_ca = make_certs(tmp_path / "other", "another CA") / "ca.crt"
    folder = tmp_path / "broker"
    broker = LocalBroker.start(
        broker_registry(folder, "ioc-ingest-tls"), folder, topic_root=topic_root,
        share_group="ioc-ingest", known_wards=ward_codes(), tls_port=free_port(), certs_dir=certs,
    )  # fmt: skip
    try:
        tls_url = broker.url("gw-a", tls=True)
        with ingest_on(broker, make_settings):
            good = Probe(make_settings(mqtt_url=tls_url, mqtt_cafile=certs / "ca.crt").mqtt, "x")
            try:
                assert good.connected
                assert not good.publish(*_reading(topic_root, "27694", "aq-tls", 0)).is_failure
            finally:
                good.close()
            assert wait_for(lambda: count(db, "SELECT count(*) FROM readings") == 1, 10)
        # A client that does not trust the broker's CA never sends its password.
        for cafile in (other_ca, None):
            try:
                bad = Probe(make_settings(mqtt_url=tls_url, mqtt_cafile=cafile).mqtt, "y")
            except OSError:
                continue  # ssl.SSLCertVerificationError: refused during connect
            assert not bad.connected
            bad.close()
        # Plain MQTT on the TLS port is not answered.
        plain = make_settings(mqtt_url=tls_url.replace("mqtts://", "mqtt://")).mqtt
        try:
            probe = Probe(plain, "z", timeout=2)
            assert not probe.connected
            probe.close()
        except OSError:
            pass
    finally:
        broker.stop()
