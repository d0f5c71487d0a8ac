"""Settings: environment, nested sections, secret files, and errors that name the key."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from cli.main import main
from ioc.config import ConfigError, load_settings


def test_defaults_and_nested_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IOC_INGEST__BATCH_SIZE", "250")
    monkeypatch.setenv("IOC_MQTT_URL", "mqtts://u:p@broker.example:8883")
    s = load_settings()
    assert s.ingest.batch_size == 250
    assert (s.mqtt.host, s.mqtt.port, s.mqtt.tls, s.mqtt.username) == (
        "broker.example",
        8883,
        True,
        "u",
    )


def test_secret_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    secret = tmp_path / "key"
    secret.write_text("s3cret-from-a-file-Zq8wLk2vNp5xRt7y\n")
    monkeypatch.setenv("IOC_APP__SECRET_KEY_FILE", str(secret))
    monkeypatch.setenv("IOC_APP__USERS_FILE", str(tmp_path / "users.toml"))
    s = load_settings()
    assert s.app.secret_key == "s3cret-from-a-file-Zq8wLk2vNp5xRt7y"
    assert s.app.users_file == tmp_path / "users.toml"


def test_errors_name_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IOC_INGEST__BATCH_SIZE", "0")
    monkeypatch.setenv("IOC_DATABASE_URL", "mysql://x")
    with pytest.raises(ConfigError) as exc:
        load_settings()
    text = str(exc.value)
    assert "ingest.batch_size (IOC_INGEST__BATCH_SIZE)" in text
    assert "database_url (IOC_DATABASE_URL): Value error, must be a postgresql:// URL" in text


def test_unknown_nested_key_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IOC_INGEST__BATCH_SIZ", "5")
    with pytest.raises(ConfigError, match="batch_siz"):
        load_settings()


def test_config_check_command(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("IOC_DATABASE_URL", "postgresql://ioc:hunter2@db/ioc")
    assert main(["config", "check"]) == 0
    out = capsys.readouterr().out
    assert "configuration OK" in out and "hunter2" not in out
    monkeypatch.setenv("IOC_APP__PORT", "99999")
    assert main(["config", "check"]) == 2
    assert "app.port (IOC_APP__PORT)" in capsys.readouterr().err


def test_serve_refuses_to_start_without_a_secret_key(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("IOC_APP__SECRET_KEY", raising=False)
    monkeypatch.setenv("IOC_APP__AUTH", "on")
    assert main(["serve"]) == 2
    assert "IOC_APP__SECRET_KEY" in capsys.readouterr().err


def test_database_flavour_and_policies(monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_settings().db_flavour == "auto"
    monkeypatch.setenv("IOC_DB_FLAVOUR", "timescale")
    monkeypatch.setenv("IOC_INGEST__RETENTION_DAYS", "30")
    monkeypatch.setenv("IOC_DB_MINUTE_ROLLUP_DAYS", "10")
    monkeypatch.setenv("IOC_DB_COMPRESS_AFTER_DAYS", "3")
    s = load_settings()
    assert s.db_flavour == "timescale"
    assert (
        s.policies.raw.days,
        s.policies.minute_rollups.days,
        s.policies.compress_after.days,
    ) == (
        30,
        10,
        3,
    )
    monkeypatch.setenv("IOC_DB_FLAVOUR", "timescaledb")
    with pytest.raises(ConfigError, match=r"db_flavour \(IOC_DB_FLAVOUR\)"):
        load_settings()


@pytest.mark.parametrize(
    "key",
    ["0123456789abcdef", "test-secret-key-123", "a" * 64, "abcabcabcabcabcabcabcabcabcabcabc"],
)
def test_low_entropy_secret_key_is_refused(monkeypatch: pytest.MonkeyPatch, key: str) -> None:
    """Finding 12: a 16-character low-entropy key was accepted."""
    monkeypatch.setenv("IOC_APP__SECRET_KEY", key)
    with pytest.raises(
        ConfigError, match=r"app.secret_key \(IOC_APP__SECRET_KEY\): .*low-entropy"
    ) as exc:
        load_settings()
    assert key not in str(exc.value)


def test_random_secret_keys_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    import secrets

    for key in (secrets.token_urlsafe(32), secrets.token_hex(16), secrets.token_urlsafe(24)):
        monkeypatch.setenv("IOC_APP__SECRET_KEY", key)
        assert load_settings().app.secret_key == key


def _serve_debug(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("IOC_")}
    return subprocess.run(
        [sys.executable, "-m", "cli", "serve", "--debug"],
        env={**base, "IOC_REDIS_URL": "redis://127.0.0.1:1/0", **env},
        capture_output=True, text=True, timeout=30,
    )  # fmt: skip


def test_debug_server_refuses_a_public_host() -> None:
    """Finding 12: `ioc serve --debug` bound a non-loopback host (the Werkzeug debugger)."""
    done = _serve_debug({"IOC_APP__HOST": "0.0.0.0", "IOC_APP__SECRET_KEY": secrets_key()})
    assert done.returncode == 2 and "loopback" in done.stderr


def test_debug_server_checks_the_secret_key() -> None:
    """Finding 12: `ioc serve --debug` skipped the secret-key check."""
    done = _serve_debug({"IOC_APP__HOST": "127.0.0.1"})
    assert done.returncode == 2 and "IOC_APP__SECRET_KEY" in done.stderr


def secrets_key() -> str:
    import secrets

    return secrets.token_urlsafe(32)
