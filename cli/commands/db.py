"""``ioc db upgrade`` / ``ioc db status`` / ``ioc db maintain``."""

from __future__ import annotations

import argparse
from typing import Any

from geodata.registry import wards
from ioc.config import Settings
from ioc.store.db import connect, ensure_database
from ioc.store.maintenance import apply_retention
from ioc.store.migrate import current_version, flavour, upgrade
from ioc.store.wards import seed_wards


def register(sub: Any) -> None:
    p = sub.add_parser("db", help="database schema")
    s = p.add_subparsers(dest="action", required=True)
    up = s.add_parser("upgrade", help="apply pending migrations and seed the ward registry")
    up.add_argument(
        "--plain", action="store_true", help="plain PostgreSQL even if TimescaleDB is there"
    )
    up.set_defaults(func=cmd_upgrade)
    st = s.add_parser("status", help="print schema version and flavour")
    st.set_defaults(func=cmd_status)
    mt = s.add_parser("maintain", help="apply retention (plain PostgreSQL flavour)")
    mt.set_defaults(func=cmd_maintain)


def cmd_upgrade(settings: Settings, args: argparse.Namespace) -> int:
    if ensure_database(settings.database_url):
        print(f"created database {settings.database_url.rsplit('/', 1)[-1]}")
    with connect(settings.database_url) as conn:
        applied = upgrade(conn, settings.db_schema, force="plain" if args.plain else None)
    with connect(settings.database_url, settings.db_schema) as conn:
        n = seed_wards(conn, wards())
        conn.commit()
        version, flav = current_version(conn), flavour(conn)
    for m in applied:
        print(f"applied {m.version:03d}_{m.name}")
    print(f"schema {settings.db_schema!r} at version {version} ({flav}); {n} wards seeded")
    return 0


def cmd_status(settings: Settings, args: argparse.Namespace) -> int:
    with connect(settings.database_url, settings.db_schema) as conn:
        print(
            f"schema {settings.db_schema!r}: version {current_version(conn)}, "
            f"flavour {flavour(conn) or '(not created)'}"
        )
    return 0


def cmd_maintain(settings: Settings, args: argparse.Namespace) -> int:
    with connect(settings.database_url, settings.db_schema, autocommit=True) as conn:
        dropped = apply_retention(conn, settings.retention)
    print(f"dropped {dropped} partitions past retention")
    return 0
