"""Broker registry, Mosquitto password hashes and the rendered configuration (pure parts)."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from cli.main import main
from geodata.registry import ward_codes
from ioc.broker.passwd import PasswordHash, hash_password
from ioc.broker.registry import load_registry
from ioc.broker.render import MAX_PACKET_SIZE, Layout, render
from ioc.errors import ConfigError

LAYOUT = Layout(config_dir="/etc/m", data_dir="/var/m", plugin="/p.so")


def _write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


REGISTRY = """
[[ingest]]
name = "ioc-ingest-1"
secret_file = "secrets/ingest"

[[gateways]]
name = "gw-1"
password_hash = "{hash}"
wards = ["27694", "27697"]

[[gateways]]
name = "reports-app"
secret_file = "secrets/reports"
wards = ["*"]
domains = ["reports"]
"""


def test_hash_round_trip_and_verify() -> None:
    h = hash_password("correct horse battery staple")
    assert h.encode().startswith("$7$101$")
    again = PasswordHash.parse(h.encode())
    assert again == h and again.verify("correct horse battery staple")
    assert not again.verify("wrong")
    for bad in ("$6$abc$def", "$7$x$AAAA$BBBB", "plain", "$7$101$AAAA$AAAA"):
        with pytest.raises(ValueError):
            PasswordHash.parse(bad)


@pytest.mark.skipif(shutil.which("mosquitto_passwd") is None, reason="mosquitto_passwd missing")
def test_hash_format_is_mosquitto_passwd_s(tmp_path: Path) -> None:
    """Ours verifies what mosquitto_passwd wrote; the broker test checks the other direction."""
    pw = tmp_path / "pw"
    subprocess.run(["mosquitto_passwd", "-b", "-c", str(pw), "u", "s3cret-pass"], check=True)
    theirs = PasswordHash.parse(pw.read_text().strip().split(":", 1)[1])
    assert theirs.verify("s3cret-pass") and not theirs.verify("s3cret-pasS")
    ours = hash_password("s3cret-pass", salt=theirs.salt, iterations=theirs.iterations)
    assert ours == theirs


def test_render(tmp_path: Path) -> None:
    path = _write(tmp_path / "gw.toml", REGISTRY.format(hash=hash_password("x" * 30).encode()))
    registry = load_registry(path)
    with pytest.raises(ConfigError, match="secret file"):
        render(registry, tmp_path / "out", LAYOUT, topic_root="tanan/v1",
               share_group="ioc-ingest", known_wards=ward_codes())  # fmt: skip
    done = render(
        registry, tmp_path / "out", LAYOUT, topic_root="tanan/v1", share_group="ioc-ingest",
        known_wards=ward_codes(), create_secrets=True,
    )  # fmt: skip
    secret = (tmp_path / "secrets" / "ingest").read_text().strip()
    assert len(secret) >= 32 and (tmp_path / "secrets" / "ingest").stat().st_mode & 0o077 == 0
    doc = json.loads(done.dynsec.read_text())
    assert done.dynsec.stat().st_mode & 0o077 == 0
    assert doc["defaultACLAccess"] == {"publishClientSend": False, "publishClientReceive": False,
                                       "subscribe": False, "unsubscribe": True}  # fmt: skip
    roles = {r["rolename"]: {(a["acltype"], a["topic"]) for a in r["acls"]} for r in doc["roles"]}
    assert roles["ioc-ingest"] == {("subscribePattern", "$share/ioc-ingest/tanan/v1/#"),
                                   ("publishClientReceive", "tanan/v1/#")}  # fmt: skip
    gw = roles["gateway-gw-1"]
    assert ("publishClientSend", "tanan/v1/27697/+/+/telemetry") in gw
    assert ("publishClientReceive", "tanan/v1/+/+/gw-1/status") in gw
    assert not any("27688" in t for _, t in gw)
    assert roles["gateway-reports-app"] >= {("publishClientSend", "tanan/v1/+/reports/+/event")}
    assert not any(t.endswith("/telemetry") for _, t in roles["gateway-reports-app"])
    ingest = next(c for c in doc["clients"] if c["username"] == "ioc-ingest-1")
    assert PasswordHash.from_dynsec(ingest).verify(secret)
    conf = done.conf.read_text()
    assert "allow_anonymous false" in conf and "use_username_as_clientid true" in conf
    assert f"max_packet_size {MAX_PACKET_SIZE}" in conf and "max_queued_bytes 536870912" in conf
    assert "persistent_client_expiration 7d" in conf
    assert 65536 < MAX_PACKET_SIZE <= 70_000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (REGISTRY.replace('"27697"', '"99999"'), "unknown ward"),
        (REGISTRY.replace('name = "gw-1"', 'name = "ioc-ingest-1"'), "appears twice"),
        (REGISTRY.replace('"reports"]', '"weather"]'), "not in the contract catalogue"),
        (REGISTRY.replace('name = "gw-1"', 'name = "gw/#"'), "pattern"),
        (REGISTRY.replace("[[ingest]]", "[[ingest]]\nextra = 1"), "extra"),
    ],
)
def test_registry_errors_name_the_entry(tmp_path: Path, text: str, message: str) -> None:
    path = _write(tmp_path / "gw.toml", text.format(hash=hash_password("y" * 30).encode()))
    with pytest.raises(ConfigError, match=message):
        render(load_registry(path), tmp_path / "out", LAYOUT, topic_root="tanan/v1",
               share_group="ioc-ingest", known_wards=ward_codes(), create_secrets=True)  # fmt: skip


def test_short_secret_is_refused(tmp_path: Path) -> None:
    path = _write(tmp_path / "gw.toml", REGISTRY.format(hash=hash_password("z").encode()))
    (tmp_path / "secrets").mkdir()
    (tmp_path / "secrets" / "ingest").write_text("hunter2\n")
    with pytest.raises(ConfigError, match="at least 24"):
        render(load_registry(path), tmp_path / "out", LAYOUT, topic_root="tanan/v1",
               share_group="ioc-ingest", known_wards=ward_codes(), create_secrets=True)  # fmt: skip


def test_render_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "gw.toml", REGISTRY.format(hash=hash_password("w" * 30).encode()))
    out = tmp_path / "out"
    args = ["broker", "render", "--registry", str(path), "--out", str(out), "--docker",
            "--create-secrets"]  # fmt: skip
    assert main(args) == 0
    conf = (out / "mosquitto.conf").read_text()
    assert "plugin /usr/lib/mosquitto_dynamic_security.so" in conf
    assert "listener 8883 0.0.0.0" in conf and "certfile /mosquitto/certs/server.crt" in conf
    printed = capsys.readouterr().out
    assert (tmp_path / "secrets" / "ingest").read_text().strip() not in printed
    assert main(["broker", "render", "--registry", str(tmp_path / "none.toml"),
                 "--out", str(out), "--docker"]) == 2  # fmt: skip


ROOT = Path(__file__).resolve().parents[2]


def test_dev_broker_is_anonymous_on_loopback_only() -> None:
    lines = (ROOT / "deploy" / "mosquitto.conf.in").read_text().splitlines()
    listeners = [ln.split() for ln in lines if ln.startswith("listener")]
    assert listeners and all(len(ln) == 3 and ln[2] == "127.0.0.1" for ln in listeners)
    assert f"max_packet_size {MAX_PACKET_SIZE}" in lines


def test_compose_exposes_only_the_web_app() -> None:
    """Finding 1: compose published 1883 and 8050 on all interfaces; the DB password defaulted."""
    import yaml

    text = (ROOT / "docker-compose.yml").read_text()
    doc = yaml.safe_load(text)
    for name, service in doc["services"].items():
        for port in service.get("ports", []):
            if name != "app":
                assert str(port).startswith(("127.0.0.1:", "${MQTT_TLS_BIND:-127.0.0.1}:")), port
    assert "POSTGRES_PASSWORD:-" not in text and "${POSTGRES_PASSWORD:?" in text
    broker = doc["services"]["mosquitto"]["volumes"]
    assert "./config/broker:/mosquitto/config" in broker
    for worker in ("ingest-1", "ingest-2"):
        env = doc["services"][worker]["environment"]
        user = env["IOC_MQTT_URL"].split("//")[1].split("@")[0]
        assert doc["services"][worker]["command"][-1] == user  # client id = broker user


def test_example_registry_renders_for_compose(tmp_path: Path) -> None:
    registry = tmp_path / "gateways.toml"
    registry.write_text((ROOT / "deploy" / "gateways.example.toml").read_text())
    out = tmp_path / "broker"
    assert main(["broker", "render", "--docker", "--registry", str(registry), "--out", str(out),
                 "--create-secrets"]) == 0  # fmt: skip
    names = {
        c["username"] for c in json.loads((out / "dynamic-security.json").read_text())["clients"]
    }
    assert names == {"ioc-ingest-1", "ioc-ingest-2", "simulator"}
    assert sorted(p.name for p in (tmp_path / "secrets").iterdir()) == [
        "mqtt-ingest-1", "mqtt-ingest-2", "mqtt-simulator",
    ]  # fmt: skip
