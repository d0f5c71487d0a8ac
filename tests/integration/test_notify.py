"""Notifications end to end: incidents in the store, the outbox, and real local receivers.

A local HTTP server plays the webhook receiver, the Telegram Bot API and the Zalo
OA API; aiosmtpd is a real SMTP server with STARTTLS.  Incidents are opened and
moved through the store's public functions, which write incident_log as ingest
and the app do.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import psycopg
import pytest

from ioc.config import NotifySettings, Settings
from ioc.model import IncidentCandidate
from ioc.rules.loader import RuleSource
from ioc.store import outbox
from ioc.store.db import Database
from ioc.store.incident_actions import ActionRequest, perform
from ioc.store.incidents import open_incidents
from notify.config import NotifyConfig, load_notify, parse_notify
from notify.worker import Notifier
from tests.incident_helpers import alarm
from tests.notify_helpers import Remote, remote_server

Conn = psycopg.Connection[Any]
SECRET = "s3cret-key-for-tests"


def incident(key: str, severity: str = "high", ward: str = "27694") -> IncidentCandidate:
    """A street-flooding alarm (the incident helpers' finding) under its own key."""
    return alarm(ward, 40.0, severity=severity, key=key)  # type: ignore[arg-type]


@pytest.fixture
def remote() -> Iterator[Remote]:
    with remote_server() as r:
        yield r


@pytest.fixture
def database(settings: Settings) -> Iterator[Database]:
    db = Database.open(settings.database_url, settings.db_schema, max_size=2, name="t-notify")
    yield db
    db.close()


MakeNotifier = Callable[..., Notifier]


@pytest.fixture
def notifier(database: Database) -> MakeNotifier:
    def make(config: NotifyConfig, **overrides: Any) -> Notifier:
        base: dict[str, Any] = {"retry_base_s": 0.05, "retry_max_s": 0.2, "timeout_s": 5.0}
        base.update(overrides)
        return Notifier(database, config, NotifySettings(**base), RuleSource(None))

    return make


def pass_until(n: Notifier, done: Callable[[], bool], timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while not done():
        assert time.monotonic() < deadline, "gave up waiting"
        n.run_once()
        time.sleep(0.05)


def test_quick_wiring_sends_signed_changes_of_high_severity_once_each(
    db: Conn, remote: Remote, notifier: MakeNotifier
) -> None:
    config = load_notify(NotifySettings(webhook_url=remote.url + "/hook", webhook_secret=SECRET))
    n = notifier(config)
    open_incidents(db, [incident("a", "high"), incident("b", "low")])
    n.run_once()
    assert len(remote.received) == 1
    got = remote.received[0]
    body = got.json()
    for key in ("incident_id", "ward_code", "severity", "status", "title_vi", "title_en",
                "opened_at", "url"):  # fmt: skip
        assert key in body, key
    assert (body["event"], body["severity"], body["status"], body["ward_code"]) == (
        "incident.opened", "high", "open", "27694",
    )  # fmt: skip
    assert body["url"].endswith(f"/incidents/{body['incident_id']}")
    # The signature: HMAC-SHA256 of "{timestamp}." + the raw body, with the shared secret.
    mac = hmac.new(SECRET.encode(), got.headers["x-ioc-timestamp"].encode() + b"." + got.body,
                   hashlib.sha256).hexdigest()  # fmt: skip
    assert got.headers["x-ioc-signature"] == f"sha256={mac}"
    assert got.path == "/hook" and got.headers["x-ioc-event"] == "incident.opened"
    # A refresh of the same alarm (another reading) is no state change: no message.
    open_incidents(db, [incident("a", "high")])
    n.run_once()
    assert len(remote.received) == 1
    perform(db, body["incident_id"], ActionRequest("ack", "operator1", "đã nhận"), lambda w: None)
    n.run_once()
    assert [r.json()["event"] for r in remote.received] == [
        "incident.opened", "incident.acknowledged",
    ]  # fmt: skip
    ack = remote.received[1].json()
    assert ack["change"]["actor"] == "operator1" and ack["change"]["note"] == "đã nhận"
    assert ack["status"] == "acknowledged"
    sent = db.execute("SELECT count(*) FROM outbox WHERE status = 'sent'").fetchone()
    assert sent == (2,)


def test_retries_after_500s_with_backoff_then_delivers_once(
    db: Conn, remote: Remote, notifier: MakeNotifier
) -> None:
    remote.answers = [(500, {"error": "boom"}, {}), (500, {"error": "boom"}, {})]
    n = notifier(load_notify(NotifySettings(webhook_url=remote.url)))
    open_incidents(db, [incident("a")])
    started = time.monotonic()
    pass_until(n, lambda: len(remote.received) >= 3)
    # backoff: 0.05 s after the first failure, 0.1 s after the second
    assert time.monotonic() - started >= 0.15
    n.run_once()
    assert len(remote.received) == 3
    ids = {r.headers["x-ioc-delivery"] for r in remote.received}
    assert len(ids) == 1  # the same message each time: receivers deduplicate on it
    log = [(d.outcome, d.detail[:8]) for d in reversed(n.db.run(outbox.deliveries))]
    assert log == [("failed", "HTTP 500"), ("failed", "HTTP 500"), ("sent", "HTTP 200")]
    (health,) = n.db.run(outbox.channel_health)
    assert (health.state, health.failures, health.pending) == ("ok", 0, 0)


def test_a_failing_channel_is_marked_and_its_messages_wait(
    db: Conn, remote: Remote, notifier: MakeNotifier
) -> None:
    remote.default = (503, {"error": "down"}, {})
    n = notifier(load_notify(NotifySettings(webhook_url=remote.url)), failing_after=2)
    open_incidents(db, [incident("a"), incident("b"), incident("c", "critical")])
    pass_until(n, lambda: len(remote.received) >= 3)
    (health,) = n.db.run(outbox.channel_health)
    assert (
        health.state == "failing" and health.pending == 3 and "HTTP 503" in str(health.last_error)
    )
    assert {r.json()["incident_id"] for r in remote.received} == {
        remote.received[0].json()["incident_id"]
    }
    remote.default = (200, {"ok": True}, {})
    pass_until(n, lambda: n.db.run(outbox.channel_health)[0].pending == 0)
    delivered = [r.json()["incident_id"] for r in remote.received if r.json()]
    first = delivered[0]
    assert len(set(delivered)) == 3
    assert delivered[-3] == first  # the oldest first: a channel keeps its messages' order
    assert n.db.run(outbox.channel_health)[0].state == "ok"


def test_routes_by_ward_and_domain_and_one_message_per_channel(
    db: Conn, remote: Remote, notifier: MakeNotifier
) -> None:
    config = parse_notify(f"""
channels:
  - {{id: ward1, kind: webhook, url: "{remote.url}/ward1"}}
  - {{id: all, kind: webhook, url: "{remote.url}/all"}}
routes:
  - {{id: r1, channels: [ward1, all], min_severity: low, wards: ["27694"], domains: [water]}}
  - {{id: r2, channels: [all], min_severity: critical}}
""")  # fmt: skip
    n = notifier(config)
    open_incidents(db, [incident("a", "medium", "27694"), incident("b", "critical", "27697"),
                        incident("c", "critical", "27694")])  # fmt: skip
    n.run_once()
    paths = sorted((r.path, r.json()["ward_code"], r.json()["severity"]) for r in remote.received)
    assert paths == [
        ("/all", "27694", "critical"), ("/all", "27694", "medium"), ("/all", "27697", "critical"),
        ("/ward1", "27694", "critical"), ("/ward1", "27694", "medium"),
    ]  # fmt: skip


def test_telegram_and_zalo_request_shapes(db: Conn, remote: Remote, notifier: MakeNotifier) -> None:
    config = parse_notify(
        f"""
channels:
  - {{id: tg, kind: telegram, base_url: "{remote.url}", token: "${{TG_TOKEN}}", chat_id: "-1001"}}
  - {{id: zl, kind: zalo, base_url: "{remote.url}", access_token: "${{ZALO}}", user_ids: [u1, u2]}}
routes:
  - {{id: chat, channels: [tg, zl]}}
""",
        env={"TG_TOKEN": "123:ABC", "ZALO": "zalo-token"},
    )
    remote.answers = [(200, {"ok": True, "result": {"message_id": 7}}, {})]
    remote.default = (200, {"error": 0, "message": "Success", "data": {"message_id": "m"}}, {})
    n = notifier(config)
    open_incidents(db, [incident("a", "critical")])
    n.run_once()
    tg, z1, z2 = remote.received
    assert tg.path == "/bot123:ABC/sendMessage"
    doc = tg.json()
    assert doc["chat_id"] == "-1001" and "Nghiêm trọng" in doc["text"] and "Critical" in doc["text"]
    assert (
        z1.path == z2.path == "/v3.0/oa/message/cs" and z1.headers["access_token"] == "zalo-token"
    )
    assert [z.json()["recipient"]["user_id"] for z in (z1, z2)] == ["u1", "u2"]
    text = z1.json()["message"]["text"]
    assert "Ngập đường vượt ngưỡng báo động: 40,0 cm" in text  # the title the screens show


def test_telegram_flood_control_is_honoured_and_the_token_never_logged(
    db: Conn, remote: Remote, notifier: MakeNotifier
) -> None:
    config = parse_notify(f"""
channels:
  - {{id: tg, kind: telegram, base_url: "{remote.url}", token: "999:SECRET", chat_id: "1"}}
routes:
  - {{id: chat, channels: [tg]}}
""")  # fmt: skip
    remote.default = (429, {"ok": False, "error_code": 429, "description": "Too Many Requests",
                            "parameters": {"retry_after": 30}}, {})  # fmt: skip
    n = notifier(config)
    open_incidents(db, [incident("a")])
    n.run_once()
    (health,) = n.db.run(outbox.channel_health)
    assert (health.retry_at - datetime.now(UTC)).total_seconds() > 25
    (entry,) = n.db.run(outbox.deliveries)
    assert entry.outcome == "failed" and "SECRET" not in entry.detail and "429" in entry.detail


@pytest.fixture
def smtp_server(tmp_path: Any) -> Iterator[tuple[int, Any, list[Any]]]:
    """aiosmtpd on a free port: STARTTLS required (a self-signed certificate for 127.0.0.1),
    login required; yields (port, CA file, received envelopes)."""
    import socket
    import ssl
    import subprocess

    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult, LoginPassword

    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", str(key),
         "-out", str(cert), "-days", "1", "-subj", "/CN=127.0.0.1",
         "-addext", "subjectAltName=IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.load_cert_chain(cert, key)
    received: list[Any] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            received.append(envelope)
            return "250 OK"

    def auth(server: Any, session: Any, envelope: Any, mechanism: str, data: Any) -> AuthResult:
        ok = isinstance(data, LoginPassword) and (data.login, data.password) == (
            b"ioc", b"mail-pass",
        )  # fmt: skip
        return AuthResult(success=ok)

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    controller = Controller(
        Handler(), hostname="127.0.0.1", port=port, tls_context=ctx, require_starttls=True,
        auth_required=True, authenticator=auth,
    )  # fmt: skip
    controller.start()
    try:
        yield port, cert, received
    finally:
        controller.stop()


def test_email_over_starttls_with_login(
    db: Conn, smtp_server: tuple[int, Any, list[Any]], notifier: MakeNotifier
) -> None:
    port, ca, received = smtp_server
    config = parse_notify(
        f"""
channels:
  - id: mail
    kind: email
    host: 127.0.0.1
    port: {port}
    starttls: true
    ca_file: {ca}
    username: ioc
    password: ${{SMTP_PASSWORD}}
    sender: ioc@tanan.example
    to: [truc-ban@tanan.example, lanh-dao@tanan.example]
routes:
  - {{id: mail, channels: [mail], min_severity: high}}
""",
        env={"SMTP_PASSWORD": "mail-pass"},
    )
    n = notifier(config)
    open_incidents(db, [incident("a", "critical")])
    n.run_once()
    assert len(received) == 1
    env = received[0]
    assert env.mail_from == "ioc@tanan.example"
    assert env.rcpt_tos == ["truc-ban@tanan.example", "lanh-dao@tanan.example"]
    text = env.content.decode("utf-8", "replace")
    assert "Subject: =?utf-8?" in text or "Subject: [IOC" in text
    assert "X-IOC-Event: incident.opened" in text
    (entry,) = n.db.run(outbox.deliveries)
    assert entry.outcome == "sent"


def test_email_with_a_wrong_password_fails_without_showing_it(
    db: Conn, smtp_server: tuple[int, Any, list[Any]], notifier: MakeNotifier
) -> None:
    port, ca, received = smtp_server
    config = parse_notify(f"""
channels:
  - {{id: mail, kind: email, host: 127.0.0.1, port: {port}, ca_file: "{ca}", username: ioc,
      password: "not-the-pass", sender: a@b.vn, to: [c@d.vn]}}
routes:
  - {{id: mail, channels: [mail]}}
""")  # fmt: skip
    n = notifier(config)
    open_incidents(db, [incident("a", "critical")])
    n.run_once()
    assert received == []
    (entry,) = n.db.run(outbox.deliveries)
    assert entry.outcome == "failed" and "not-the-pass" not in entry.detail
    assert n.db.run(outbox.channel_health)[0].pending == 1


@pytest.mark.slow
def test_the_outbox_delivers_after_a_kill_9_of_the_notifier(
    db: Conn, remote: Remote, settings: Settings
) -> None:
    import signal
    import threading

    from tests.ingest_helpers import ioc_process, wait_for

    arrived, release = threading.Event(), threading.Event()

    def hang_first(got: Any) -> None:
        if not arrived.is_set():
            arrived.set()
            release.wait(30)  # the notifier is mid-send, holding its transaction

    remote.before_answer = hang_first
    open_incidents(db, [incident("a"), incident("b"), incident("c")])
    env = {"IOC_NOTIFY__WEBHOOK_URL": remote.url, "IOC_NOTIFY__POLL_S": "0.2",
           "IOC_NOTIFY__TIMEOUT_S": "60"}  # fmt: skip
    with ioc_process(settings, ["notify"], "notify-1", **env) as first:
        assert arrived.wait(30), "the notifier sent nothing"
        first.send_signal(signal.SIGKILL)
        first.wait(10)
    release.set()
    killed = remote.received[0].headers["x-ioc-delivery"]
    pending = "SELECT count(*) FROM outbox WHERE status = 'pending'"
    assert db.execute(pending).fetchone() == (3,)  # nothing was marked sent
    with ioc_process(settings, ["notify"], "notify-2", **env):
        assert wait_for(lambda: db.execute(pending).fetchone() == (0,), 30)
    deliveries = [r.headers["x-ioc-delivery"] for r in remote.received]
    assert deliveries.count(killed) == 2  # at least once: the killed send went again
    assert len(set(deliveries)) == 3
    incidents = {r.json()["incident_id"] for r in remote.received}
    assert len(incidents) == 3
    log = db.execute("SELECT outcome, count(*) FROM delivery_log GROUP BY 1").fetchall()
    assert log == [("sent", 3)]
