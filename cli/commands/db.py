"""``ioc db upgrade`` / ``ioc db status`` / ``ioc db maintain``."""

from __future__ import annotations

import argparse
import sys
from typing import Any, cast

from geodata.registry import wards
from ioc.config import Settings
from ioc.store.db import connect, ensure_database
from ioc.store.flavour import FlavourError, Requested
from ioc.store.maintenance import apply_policies, job_states, maintain
from ioc.store.migrate import Upgrade, current_version, flavour, upgrade
from ioc.store.wards import seed_wards


def register(sub: Any) -> None:
    p = sub.add_parser("db", help="database schema")
    s = p.add_subparsers(dest="action", required=True)
    up = s.add_parser(
        "upgrade", help="apply pending migrations, set retention / compression, seed the wards"
    )
    up.add_argument(
        "--flavour",
        choices=("auto", "plain", "timescale"),
        help="for a new schema: overrides IOC_DB_FLAVOUR (default auto)",
    )
    up.add_argument("--plain", action="store_true", help="same as --flavour plain")
    up.set_defaults(func=cmd_upgrade)
    st = s.add_parser("status", help="print schema version and flavour")
    st.set_defaults(func=cmd_status)
    mt = s.add_parser(
        "maintain", help="apply retention now (plain) / check the policy jobs (TimescaleDB)"
    )
    mt.set_defaults(func=cmd_maintain)


def migrate(
    settings: Settings, requested: Requested | None = None
) -> tuple[Upgrade, list[str], int]:
    """Migrate the schema, set its policies from the settings, seed the wards.

    Returns the upgrade, the policy changes and the number of wards seeded;
    raises :class:`FlavourError` when the flavour cannot be had.
    """
    with connect(settings.database_url) as conn:
        done = upgrade(conn, settings.db_schema, requested=requested or settings.db_flavour)
    with connect(settings.database_url, settings.db_schema, autocommit=True) as conn:
        changes = apply_policies(conn, settings.policies)
        n = seed_wards(conn, wards())
    return done, changes, n


def cmd_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    requested = cast(Requested | None, "plain" if args.plain else args.flavour)
    if ensure_database(settings.database_url):
        print(f"created database {settings.database_url.rsplit('/', 1)[-1]}")
    try:
        done, changes, n = migrate(settings, requested)
    except FlavourError as exc:
        print(f"ioc db upgrade: {exc}", file=sys.stderr)
        return 1
    for m in done.applied:
        print(f"applied {m.version:03d}_{m.name}")
    for c in changes:
        print(f"policy: {c}")
    with connect(settings.database_url, settings.db_schema) as conn:
        version = current_version(conn)
    print(
        f"schema {settings.db_schema!r} at version {version} ({done.flavour}: {done.reason}); "
        f"{n} wards seeded"
    )
    return 0


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    with connect(settings.database_url, settings.db_schema) as conn:
        flav = flavour(conn)
        print(
            f"schema {settings.db_schema!r}: version {current_version(conn)}, "
            f"flavour {flav or '(not created)'}"
        )
        if flav == "timescale":
            for j in job_states(conn):
                print(f"  job {j.job_id}: {j.table} {j.kind} after {j.after}, last {j.last_status}")
    return 0


def cmd_maintain(settings: Settings, args: argparse.Namespace) -> int:
    with connect(settings.database_url, settings.db_schema, autocommit=True) as conn:
        done = maintain(conn, settings.policies)
    for line in done.lines():
        print(line)
    for j in done.failing:
        print(f"job {j.job_id} ({j.table} {j.kind}) failed its last run", file=sys.stderr)
    return 1 if done.failing else 0
