"""``ioc serve`` (gunicorn, or the Dash dev server with ``--debug``) and ``ioc users add``."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from ioc.config import Settings

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="run the control-room web app")
    p.add_argument(
        "--debug", action="store_true", help="Dash dev server with reload (never in production)"
    )
    p.add_argument("--workers", type=int, default=None, help="override settings.app.workers")
    p.set_defaults(func=cmd_serve)
    u = sub.add_parser("users", help="manage control-room users")
    s = u.add_subparsers(dest="action", required=True)
    add = s.add_parser("add", help="add or replace a user in the users file")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=["admin", "operator", "ward_staff", "viewer"])
    add.add_argument(
        "--ward", action="append", default=[], help="ward code (ward_staff; repeatable)"
    )
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    add.add_argument(
        "--file", type=Path, default=None, help="users file (default settings.app.users_file)"
    )
    add.set_defaults(func=cmd_users_add)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    if settings.app.auth == "off":
        print("WARNING: authentication is OFF (IOC_APP__AUTH=off): every visitor is an admin."
              " Use only for a local demo.", file=sys.stderr)  # fmt: skip
    if args.debug:
        from ioc.app import create_app

        create_app(settings).run(host=settings.app.host, port=settings.app.port, debug=True)
        return 0
    if settings.app.auth == "on" and not settings.app.secret_key:
        print("ioc serve: set IOC_APP__SECRET_KEY (or IOC_APP__SECRET_KEY_FILE): the key that"
              " signs session cookies must be secret and the same in every worker.",
              file=sys.stderr)  # fmt: skip
        return 2
    workers = args.workers or settings.app.workers
    argv = [
        "gunicorn", "--workers", str(workers), "--threads", "4",
        "--bind", f"{settings.app.host}:{settings.app.port}",
        "--access-logfile", "-", "--timeout", "60", "ioc.app:make_server()",
    ]  # fmt: skip
    os.execvp(sys.executable, [sys.executable, "-m", *argv])


def cmd_users_add(settings: Settings, args: argparse.Namespace) -> int:
    from ioc.auth import UsersFileError, add_user

    path = args.file or settings.app.users_file
    if path is None:
        print("no users file: set IOC_APP__USERS_FILE or pass --file", file=sys.stderr)
        return 2
    if args.password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    else:
        password = getpass.getpass(f"password for {args.name}: ")
    if len(password) < 8:
        print("password must have at least 8 characters", file=sys.stderr)
        return 2
    try:
        user = add_user(Path(path), args.name, password, args.role, args.ward)
    except UsersFileError as exc:
        print(f"ioc users add: {exc}", file=sys.stderr)
        return 2
    print(
        f"user {user.name} ({user.role}{', ' + ','.join(sorted(user.wards)) if user.wards else ''}) written to {path}"
    )
    return 0
