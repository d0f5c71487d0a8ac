"""``ioc broker render``: Mosquitto's configuration from the registry; ``ioc broker hash``."""

from __future__ import annotations

import argparse
import dataclasses
import getpass
import sys
from pathlib import Path
from typing import Any

from ioc.config import Settings
from ioc.errors import ConfigError

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser("broker", help="the broker's users and rights")
    s = p.add_subparsers(dest="action", required=True)
    r = s.add_parser("render", help="write mosquitto.conf + dynamic-security.json from a registry")
    r.add_argument("--out", type=Path, required=True, help="folder to write into")
    r.add_argument("--registry", type=Path, default=Path("config/gateways.toml"))
    r.add_argument(
        "--docker", action="store_true", help="paths of the eclipse-mosquitto:2 image (compose)"
    )
    r.add_argument("--bind", default=None, help="plain listener address (default 127.0.0.1)")
    r.add_argument("--port", type=int, default=None, help="plain listener port (default 1883)")
    r.add_argument("--tls-port", type=int, default=None, help="TLS listener port (8883)")
    r.add_argument("--certs", default=None, help="folder (broker's view) with ca.crt, server.*")
    r.add_argument("--no-tls", action="store_true", help="no TLS listener")
    r.add_argument("--plugin", default=None, help="path of mosquitto_dynamic_security.so")
    r.add_argument("--data-dir", default=None, help="persistence folder (broker's view)")
    r.add_argument(
        "--create-secrets", action="store_true", help="make missing secret files (random)"
    )
    r.set_defaults(func=cmd_render)
    h = s.add_parser("hash", help="print a Mosquitto $7$ hash of a password read from stdin")
    h.set_defaults(func=cmd_hash)


def cmd_render(settings: Settings, args: argparse.Namespace) -> int:
    from geodata.registry import ward_codes
    from ioc.broker.registry import load_registry
    from ioc.broker.render import DOCKER, Layout, find_plugin, render

    out: Path = args.out
    if args.docker:
        layout = DOCKER
    else:
        plugin = args.plugin or find_plugin()
        if plugin is None:
            print("ioc broker render: mosquitto_dynamic_security.so not found; pass --plugin",
                  file=sys.stderr)  # fmt: skip
            return 2
        layout = Layout(
            config_dir=str(out.resolve()),
            data_dir=args.data_dir or str(out.resolve() / "data"),
            plugin=plugin,
            tls_port=8883 if args.certs else None,
            certs_dir=args.certs,
        )
    changes: dict[str, Any] = {"session_expiry_s": settings.ingest.session_expiry_s}
    for key, value in (("bind", args.bind), ("port", args.port), ("plugin", args.plugin),
                       ("data_dir", args.data_dir), ("certs_dir", args.certs)):  # fmt: skip
        if value is not None:
            changes[key] = value
    if args.tls_port is not None:
        changes["tls_port"] = args.tls_port
    if args.no_tls:
        changes["tls_port"] = None
    layout = dataclasses.replace(layout, **changes)
    try:
        registry = load_registry(args.registry)
        done = render(
            registry, out, layout, topic_root=settings.topic_root,
            share_group=settings.ingest.share_group, known_wards=ward_codes(),
            create_secrets=args.create_secrets, source=str(args.registry),
        )  # fmt: skip
    except ConfigError as exc:
        print(f"ioc broker render: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {done.conf} and {done.dynsec} ({len(done.users)} users, root {done.root})")
    tls = f", TLS on {layout.tls_port}" if layout.tls_port else ", no TLS listener"
    print(f"listener {layout.bind}:{layout.port}{tls}; client id = user name")
    for user in registry.ingest:
        print(f"  ingest worker: ioc ingest --client-id {user.name}"
              f"  with IOC_MQTT_URL=mqtt://{user.name}:***@HOST:{layout.port}")  # fmt: skip
    return 0


def cmd_hash(settings: Settings, args: argparse.Namespace) -> int:
    from ioc.broker.passwd import hash_password

    password = (
        getpass.getpass("broker password: ")
        if sys.stdin.isatty()
        else sys.stdin.readline().rstrip("\n")
    )
    if not password:
        print("empty password", file=sys.stderr)
        return 2
    print(hash_password(password).encode())
    return 0
