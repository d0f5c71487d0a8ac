"""Passwords and tokens are masked in every log line (issue 12, finding 6)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ioc import logsafe
from ioc.config import Settings, load_settings
from tests.ingest_helpers import settings_env


@pytest.mark.parametrize(
    ("text", "leak"),
    [
        ("ingest worker w running on mqtt://ioc:hunter2-pw@broker:1883", "hunter2-pw"),
        ("db postgresql://postgres:pg%40ss-word@db:5432/ioc down", "pg%40ss-word"),
        ("redis rediss://:r3dis-pass@cache:6380/0", "r3dis-pass"),
        ("conninfo host=db user=ioc password=s3cr3t-dsn dbname=ioc", "s3cr3t-dsn"),
        ("GET /x?token=abcdef123456&lang=vi", "abcdef123456"),
        ('{"secret_key": "0123456789abcdef0123"}', "0123456789abcdef0123"),
        ("Authorization: Bearer eyJhbGciOi.payload.sig", "eyJhbGciOi.payload.sig"),
    ],
)
def test_redact(text: str, leak: str) -> None:
    out = logsafe.redact(text)
    assert leak not in out and logsafe.MASK in out


def test_redact_leaves_ordinary_text() -> None:
    for text in ("mqtt://127.0.0.1:1884", "postgresql://postgres@127.0.0.1:5432/ioc",
                 "password authentication failed for user ioc", "login admin (admin)"):  # fmt: skip
        assert logsafe.redact(text) == text


def test_known_secrets_are_masked_wherever_they_appear(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv("IOC_MQTT_PASSWORD", "file-secret-9876")
    settings = load_settings(database_url="postgresql://u:db-pass-1234@h/ioc")
    assert {"file-secret-9876", "db-pass-1234"} <= set(logsafe.secrets_of(settings))
    logsafe.install(logsafe.secrets_of(settings))
    log = logging.getLogger("ioc.test")
    with caplog.at_level(logging.INFO):
        log.info("connecting with %s", "file-secret-9876")
        try:
            raise RuntimeError("could not connect to postgresql://u:db-pass-1234@h/ioc")
        except RuntimeError:
            log.exception("store down")
    text = "\n".join(r.getMessage() + (r.exc_text or "") for r in caplog.records)
    assert "file-secret-9876" not in text and "db-pass-1234" not in text
    assert "store down" in text and "***" in text


def test_ingest_worker_does_not_log_its_broker_password(tmp_path: Path, settings: Settings) -> None:
    """The worker's start-up line printed mqtt://ioc:<password>@host."""
    host = settings.mqtt_url.split("://", 1)[1]
    env = {**settings_env(settings), "IOC_MQTT_URL": f"mqtt://ioc:Pa55-w0rd-leak@{host}",
           "IOC_INGEST__SESSION_EXPIRY_S": "0"}  # fmt: skip
    log = tmp_path / "ingest.log"
    with log.open("wb") as fh:
        proc = subprocess.Popen(
            [sys.executable, "-m", "cli", "ingest", "--client-id", f"leak-{os.getpid()}"],
            env=env, stdout=fh, stderr=fh,
        )  # fmt: skip
        try:
            deadline = time.monotonic() + 30
            while "running on" not in log.read_text() and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            proc.terminate()
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
    text = log.read_text()
    assert "running on mqtt://ioc:***@" in text, text[-2000:]
    assert "Pa55-w0rd-leak" not in text
