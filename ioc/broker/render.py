"""Mosquitto's configuration from a broker registry: ``mosquitto.conf`` + ``dynamic-security.json``.

Why the dynamic-security plugin and not ``password_file`` + ``acl_file``: Mosquitto
2.0's ACL file never checks SUBSCRIBE (``security_default.c``: "FIXME - implement ACL
subscription strings"), only delivery.  A gateway may then join
``$share/ioc-ingest/...``; the broker hands it every other message, the read check
drops it, and the message is lost (measured on 2.0.11: 10 of 20).  The plugin, shipped
with Mosquitto 2.0 (Debian's ``mosquitto`` package, the ``eclipse-mosquitto:2`` image),
checks the subscription filter itself, ``$share/{group}/`` included, and the broker
answers "not authorised" in the SUBACK.

What the generated broker enforces:

- no anonymous clients; ``use_username_as_clientid`` on every listener, so a client's
  id is its user name and nobody can take over another user's (an ingest worker's)
  persistent session;
- ingest users: subscribe ``$share/{group}/{root}/#`` (or ``{root}/#`` unshared) and
  receive ``{root}/#``; nothing else;
- gateways: publish ``{root}/{ward}/{domain}/{device}/{kind}`` for their wards
  (domains, devices) only; subscribe to and receive nothing but their own status
  ``{root}/+/+/{name}/status``; so no ``#``, no ``$SYS``, no share group, and an
  offline session cannot park a queue of data;
- ``max_packet_size`` just above the contract's 64 KiB payload (the broker disconnects a
  client that sends more); ``max_queued_bytes`` and ``max_queued_messages`` per client;
  ``persistent_client_expiration`` caps every session (Mosquitto 2.0 has no per-user
  cap; it is the ingest session's own expiry, and a gateway's session holds nothing but
  its status topic);
- nobody has rights on ``$CONTROL/dynamic-security/#``: the rights change only by
  editing the registry, rendering again and restarting the broker.
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ioc.broker.registry import Gateway, Registry
from ioc.contract.catalogue import CATALOGUE
from ioc.contract.messages import MAX_PAYLOAD

__all__ = [
    "DOCKER",
    "MAX_PACKET_SIZE",
    "Layout",
    "RenderedBroker",
    "dynsec_document",
    "mosquitto_conf",
    "render",
]

# The whole PUBLISH packet: a 64 KiB payload plus the topic (~100 bytes) and MQTT v5 headers.
MAX_PACKET_SIZE = MAX_PAYLOAD + 2048
# Per client.  Sized for the ingest session during a worker outage: 2,000 msg/s for 10 minutes
# is 1.2 M messages; at the contract's typical 100-300 bytes that is under 512 MiB.
MAX_QUEUED_MESSAGES = 2_000_000
MAX_QUEUED_BYTES = 512 * 1024 * 1024
DYNSEC_FILE = "dynamic-security.json"
CONF_FILE = "mosquitto.conf"
_PLUGIN_CANDIDATES = (
    "/usr/lib/x86_64-linux-gnu/mosquitto_dynamic_security.so",
    "/usr/lib/aarch64-linux-gnu/mosquitto_dynamic_security.so",
    "/usr/lib/mosquitto_dynamic_security.so",
    "/usr/local/lib/mosquitto_dynamic_security.so",
)


@dataclass(frozen=True, slots=True)
class Layout:
    """Where the broker finds things and where it listens (paths as the broker sees them)."""

    config_dir: str
    data_dir: str
    plugin: str
    bind: str = "127.0.0.1"
    port: int = 1883
    tls_bind: str = "127.0.0.1"
    tls_port: int | None = None  # None: no TLS listener
    certs_dir: str | None = None  # holds ca.crt, server.crt, server.key
    log_file: str | None = None  # None: stdout
    run_as: str | None = None  # `user` option; None keeps Mosquitto's default ("mosquitto")
    session_expiry_s: int = 7 * 24 * 3600


# The eclipse-mosquitto:2 image (docker-compose.yml mounts these folders).
DOCKER = Layout(
    config_dir="/mosquitto/config",
    data_dir="/mosquitto/data",
    plugin="/usr/lib/mosquitto_dynamic_security.so",
    bind="0.0.0.0",
    tls_bind="0.0.0.0",
    tls_port=8883,
    certs_dir="/mosquitto/certs",
)


def find_plugin() -> str | None:
    return next((p for p in _PLUGIN_CANDIDATES if Path(p).exists()), None)


def _gateway_topics(gw: Gateway, root: str) -> list[str]:
    wards = ["+"] if "*" in gw.wards else sorted(gw.wards)
    devices = sorted(gw.devices) if gw.devices else ["+"]
    if gw.domains:
        pairs = [(d, k) for d in sorted(gw.domains) for k in (CATALOGUE[d].kind, "status")]
    else:
        pairs = [("+", k) for k in ("telemetry", "event", "status")]
    return [f"{root}/{w}/{d}/{dev}/{k}" for w in wards for d, k in pairs for dev in devices]


def _acl(kind: str, topic: str) -> dict[str, Any]:
    return {"acltype": kind, "topic": topic, "priority": 0, "allow": True}


def dynsec_document(
    registry: Registry, root: str, share_group: str, hashes: dict[str, Any]
) -> dict[str, Any]:
    """The dynamic-security plugin's JSON: clients, one role per gateway, one for ingest."""
    ingest_filter = f"$share/{share_group}/{root}/#" if share_group else f"{root}/#"
    roles: list[dict[str, Any]] = [
        {
            "rolename": "ioc-ingest",
            "textname": "ingest workers: the whole topic root, the only members of the share group",
            "acls": [
                _acl("subscribePattern", ingest_filter),
                _acl("publishClientReceive", f"{root}/#"),
            ],
        }
    ]
    clients: list[dict[str, Any]] = [
        {"username": u.name, "textname": "ingest worker", "roles": [{"rolename": "ioc-ingest"}],
         **hashes[u.name]}
        for u in registry.ingest
    ]  # fmt: skip
    for gw in registry.gateways:
        own_status = f"{root}/+/+/{gw.name}/status"
        role = f"gateway-{gw.name}"
        roles.append(
            {
                "rolename": role,
                "textname": f"gateway {gw.name}: wards {', '.join(gw.wards)}",
                "acls": [_acl("publishClientSend", t) for t in _gateway_topics(gw, root)]
                + [_acl("subscribePattern", own_status), _acl("publishClientReceive", own_status)],
            }
        )
        clients.append(
            {"username": gw.name, "textname": "gateway", "roles": [{"rolename": role}],
             **hashes[gw.name]}
        )  # fmt: skip
    return {
        "defaultACLAccess": {
            "publishClientSend": False,
            "publishClientReceive": False,
            "subscribe": False,
            "unsubscribe": True,
        },
        "clients": clients,
        "groups": [],
        "roles": roles,
    }


def _duration(seconds: int) -> str:
    # persistent_client_expiration takes an integer with h/d/w/m/y.
    return f"{seconds // 86400}d" if seconds % 86400 == 0 else f"{max(1, seconds // 3600)}h"


def mosquitto_conf(layout: Layout, source: str = "") -> str:
    lines = [
        "# Generated by `ioc broker render`"
        + (f" from {source}" if source else "")
        + ": edit the registry and render again.",
        "# The why of each line: ioc/broker/render.py and SECURITY.md.",
        "per_listener_settings false",
        "allow_anonymous false",
        f"plugin {layout.plugin}",
        f"plugin_opt_config_file {layout.config_dir}/{DYNSEC_FILE}",
        "",
        "# Client id = user name: nobody can take over another user's session.",
        f"listener {layout.port} {layout.bind}",
        "use_username_as_clientid true",
    ]
    if layout.tls_port is not None:
        certs = layout.certs_dir or f"{layout.config_dir}/certs"
        lines += [
            "",
            f"listener {layout.tls_port} {layout.tls_bind}",
            "use_username_as_clientid true",
            f"cafile {certs}/ca.crt",
            f"certfile {certs}/server.crt",
            f"keyfile {certs}/server.key",
            "tls_version tlsv1.2",
        ]
    lines += [
        "",
        "# Bounded inputs: one PUBLISH at most the contract's 64 KiB payload plus its topic.",
        f"max_packet_size {MAX_PACKET_SIZE}",
        "# Only ingest sessions can queue data; they must ride out a worker outage.",
        f"max_queued_messages {MAX_QUEUED_MESSAGES}",
        f"max_queued_bytes {MAX_QUEUED_BYTES}",
        "max_inflight_messages 1000",
        f"persistent_client_expiration {_duration(layout.session_expiry_s)}",
        "set_tcp_nodelay true",
        "",
        "persistence true",
        f"persistence_location {layout.data_dir}/",
        "autosave_interval 10",
        f"log_dest {'file ' + layout.log_file if layout.log_file else 'stdout'}",
        "log_type error",
        "log_type warning",
        "log_type notice",
    ]
    if layout.run_as:
        lines.append(f"user {layout.run_as}")
    return "\n".join(lines) + "\n"


@dataclass(frozen=True, slots=True)
class RenderedBroker:
    conf: Path
    dynsec: Path
    root: str
    share_group: str
    users: tuple[str, ...]


def render(
    registry: Registry,
    out: Path,
    layout: Layout,
    *,
    topic_root: str,
    share_group: str,
    known_wards: Collection[str],
    create_secrets: bool = False,
    source: str = "",
) -> RenderedBroker:
    """Write ``mosquitto.conf`` and ``dynamic-security.json`` into ``out``."""
    registry.check_wards(known_wards)
    root = registry.broker.topic_root or topic_root
    group = share_group if registry.broker.share_group is None else registry.broker.share_group
    users = [*registry.ingest, *registry.gateways]
    hashes = {
        u.name: registry.password_hash(u, create=create_secrets).dynsec_fields() for u in users
    }
    out.mkdir(parents=True, exist_ok=True)
    dynsec = out / DYNSEC_FILE
    tmp = dynsec.with_suffix(".tmp")
    tmp.write_text(json.dumps(dynsec_document(registry, root, group, hashes), indent=2) + "\n")
    tmp.chmod(0o600)  # password hashes: readable by the broker's user only (see SECURITY.md)
    tmp.replace(dynsec)
    conf = out / CONF_FILE
    conf.write_text(mosquitto_conf(layout, source), encoding="utf-8")
    return RenderedBroker(conf, dynsec, root, group, tuple(u.name for u in users))
