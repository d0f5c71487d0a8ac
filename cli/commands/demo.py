"""``ioc demo``: the whole control room on one machine with live simulated feeds.

Migrates the database, makes a demo admin account (the password is printed
and kept in ``var/demo/``), starts its own Mosquitto with the configuration
``ioc broker render`` generates (ingest and the simulator log in as their own
users; ``--broker shared`` uses the anonymous development broker instead), then
supervises its processes: an ingest worker, the periodic rule checks
(``ioc monitor``), the simulator, the web app, and the notifier when
``IOC_NOTIFY__WEBHOOK_URL`` or ``IOC_NOTIFY__PATH`` is set.  The simulator's first run publishes weeks of
the daily-scale domains (COVID, dossiers, e-government, reports, security) and
a few hours of the whole fleet, so every page has history; a process that dies
is restarted with backoff (the simulator then live only); Ctrl-C stops all.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import re
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ioc.config import Settings
from ioc.errors import ServiceUnavailable
from ioc.store.db import ensure_database

__all__ = ["register"]

log = logging.getLogger(__name__)

# The broker keeps ingest's persistent session only from its first subscription:
# on a fresh demo, what the simulator published before then would be lost (the
# first days of history).  So the simulator waits until ingest reports it is
# subscribed (its stats in Redis), or this long at most.
INGEST_READY_TIMEOUT_S = 30.0


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="run ingest + simulator + web app together (local demo)")
    p.add_argument("--dir", type=Path, default=Path("var/demo"), help="demo state folder")
    p.add_argument("--speed", type=float, default=1.0, help="simulated seconds per second")
    p.add_argument("--scenario", action="append", default=[], help="scenario to overlay")
    p.add_argument("--backfill", type=float, default=6.0, help="hours of the whole fleet")
    p.add_argument("--history-days", type=float, default=60.0, help="days of COVID, dossiers...")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument(
        "--broker",
        choices=["own", "shared"],
        default="own",
        help="own: a Mosquitto with the generated users and rights (ioc broker render) on"
        " --broker-port; shared: the anonymous broker of IOC_MQTT_URL",
    )
    p.add_argument("--broker-port", type=int, default=1885)
    p.set_defaults(func=cmd_demo)


@dataclass
class _Child:
    name: str
    argv: list[str]
    proc: subprocess.Popen[bytes] | None = None
    restarts: int = 0
    next_start: float = 0.0
    ready: Callable[[], bool] | None = None  # start only once this holds (or next_start passed)
    env: dict[str, str] | None = None  # on top of the shared environment


def _secret(path: Path, nbytes: int = 32) -> str:
    if path.exists():
        return path.read_text().strip()
    value = secrets.token_urlsafe(nbytes)
    path.write_text(value + "\n")
    path.chmod(0o600)
    return value


def _demo_users(folder: Path) -> tuple[Path, str]:
    from ioc.auth import add_user

    users = folder / "users.toml"
    pw_file = folder / "admin-password.txt"
    if not users.exists() or not pw_file.exists():
        password = secrets.token_urlsafe(9)
        add_user(users, "admin", password, "admin", [])
        pw_file.write_text(password + "\n")
        pw_file.chmod(0o600)
    return users, pw_file.read_text().strip()


def _migrate(settings: Settings) -> bool:
    from cli.commands.db import migrate
    from ioc.store.flavour import FlavourError

    try:
        done, _changes, _n = migrate(settings)
    except FlavourError as exc:
        print(f"ioc demo: {exc}", file=sys.stderr)
        return False
    print(f"database: {done.flavour} ({done.reason})", flush=True)
    return True


def cmd_demo(settings: Settings, args: argparse.Namespace) -> int:
    folder: Path = args.dir
    folder.mkdir(parents=True, exist_ok=True)
    ensure_database(settings.database_url)
    if not _migrate(settings):
        return 1
    users, password = _demo_users(folder)
    env = dict(os.environ)
    env.setdefault("IOC_APP__USERS_FILE", str(users.resolve()))
    env.setdefault("IOC_APP__SECRET_KEY", _secret(folder / "secret-key"))
    # A persistent session keeps its subscriptions: one client id per topic root, so a
    # demo on another root never inherits this one's (or the reverse).
    root_id = re.sub(r"[^A-Za-z0-9_-]", "-", settings.topic_root)
    env.setdefault("IOC_INGEST__CLIENT_ID", f"ioc-demo-ingest-{root_id}")
    env.setdefault("IOC_INGEST__STATS_INTERVAL_S", "2")
    broker, broker_env = _own_broker(args, settings, folder, env["IOC_INGEST__CLIENT_ID"])
    ioc = [sys.executable, "-m", "cli"]
    sim = [*ioc, "simulate", "--speed", str(args.speed), "--seed", str(args.seed)]
    for name in args.scenario:
        sim += ["--scenario", name]
    children = [
        _Child("ingest", [*ioc, "ingest"], env=broker_env.get("ingest")),
        _Child("monitor", [*ioc, "monitor"]),
        _Child("app", [*ioc, "serve"]),
        _Child(
            "simulator",
            [*sim, "--backfill", str(args.backfill), "--history-days", str(args.history_days)],
            next_start=time.monotonic() + INGEST_READY_TIMEOUT_S,
            ready=_ingest_subscribed(settings, env["IOC_INGEST__CLIENT_ID"]),
            env=broker_env.get("simulator"),
        ),
    ]
    url = f"http://{settings.app.host}:{settings.app.port}/"
    print(
        f"\nTân An IOC demo\n  control room: {url}  (kiosk wall: {url}?kiosk=1)\n"
        f"  user: admin   password: {password}   (kept in {folder / 'admin-password.txt'})\n"
        "  Ctrl-C stops everything.\n",
        flush=True,
    )
    if env.get("IOC_NOTIFY__WEBHOOK_URL") or env.get("IOC_NOTIFY__PATH"):
        children.append(_Child("notify", [*ioc, "notify"]))
    try:
        return _supervise(children, env, sim)
    finally:
        if broker is not None:
            broker.stop()


def _own_broker(
    args: argparse.Namespace, settings: Settings, folder: Path, ingest_id: str
) -> tuple[Any, dict[str, dict[str, str]]]:
    """The demo's Mosquitto with the generated configuration: ingest and the simulator log
    in as their own users (``var/demo/broker/``), as a deployment does."""
    if args.broker != "own":
        return None, {}
    from geodata.registry import ward_codes
    from ioc.broker.local import LocalBroker, local_registry

    where = folder / "broker"
    broker = LocalBroker.start(
        local_registry(where.resolve(), ingest_id, "demo-simulator"), where,
        topic_root=settings.topic_root, share_group=settings.ingest.share_group,
        known_wards=ward_codes(), port=args.broker_port,
    )  # fmt: skip
    log.info("demo broker on 127.0.0.1:%d (users and rights: %s)", broker.port, where)
    return broker, {
        "ingest": {"IOC_MQTT_URL": broker.url(ingest_id)},
        "simulator": {"IOC_MQTT_URL": broker.url("demo-simulator")},
    }


def _ingest_subscribed(settings: Settings, client_id: str) -> Callable[[], bool]:
    from ioc.live import LiveState

    live = LiveState.from_url(settings.redis_url, settings.redis_prefix)
    with contextlib.suppress(ServiceUnavailable):
        live.clear_stats(client_id)  # a previous run's "subscribed" says nothing

    def ready() -> bool:
        try:
            return live.stats().get(client_id, {}).get("subscribed") == "1"
        except ServiceUnavailable:
            return False

    return ready


def _supervise(children: list[_Child], env: dict[str, str], sim: list[str]) -> int:
    stopping = False

    def _stop(signum: int, frame: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, _stop)
    signal.signal(signal.SIGTERM, _stop)
    try:
        while not stopping:
            now = time.monotonic()
            for child in children:
                due = now >= child.next_start or (child.ready is not None and child.ready())
                if child.proc is None and due:
                    child.proc = subprocess.Popen(child.argv, env={**env, **(child.env or {})})
                    log.info("started %s (pid %d)", child.name, child.proc.pid)
                elif child.proc is not None and child.proc.poll() is not None:
                    code = child.proc.returncode
                    child.proc = None
                    child.restarts += 1
                    delay = min(2 ** min(child.restarts, 5), 30)
                    child.next_start = now + delay
                    child.ready = None
                    if child.name == "simulator":
                        # History and backfill are done once; later restarts simulate live only.
                        child.argv = sim
                    log.warning("%s exited with %s; restarting in %ds", child.name, code, delay)
            time.sleep(0.5)
    finally:
        for child in children:
            if child.proc is not None and child.proc.poll() is None:
                child.proc.terminate()
        for child in children:
            if child.proc is not None:
                try:
                    child.proc.wait(15)
                except subprocess.TimeoutExpired:
                    child.proc.kill()
    return 0
