"""``ioc serve`` (gunicorn, or the Dash dev server with ``--debug``) and ``ioc users add|unlock|logout``."""

from __future__ import annotations

import argparse
import getpass
import ipaddress
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
    unlock = s.add_parser("unlock", help="end a user's login lockout (failed passwords)")
    unlock.add_argument("name")
    unlock.set_defaults(func=cmd_users_unlock)
    logout = s.add_parser("logout", help="end every session of a user (log out everywhere)")
    logout.add_argument("name")
    logout.set_defaults(func=cmd_users_logout)


def cmd_serve(settings: Settings, args: argparse.Namespace) -> int:
    if settings.app.auth == "off":
        print("WARNING: authentication is OFF (IOC_APP__AUTH=off): every visitor is an admin."
              " Use only for a local demo.", file=sys.stderr)  # fmt: skip
    if settings.app.auth == "on" and not settings.app.secret_key:
        print("ioc serve: set IOC_APP__SECRET_KEY (or IOC_APP__SECRET_KEY_FILE): the key that"
              " signs session cookies must be secret and the same in every worker.",
              file=sys.stderr)  # fmt: skip
        return 2
    if args.debug:
        if not _loopback(settings.app.host):
            # The Werkzeug debugger runs code for whoever reaches it.
            print(f"ioc serve --debug: {settings.app.host} is not a loopback address; the debug"
                  " server listens on 127.0.0.1 / ::1 / localhost only.", file=sys.stderr)  # fmt: skip
            return 2
        from ioc.app import create_app

        create_app(settings).run(host=settings.app.host, port=settings.app.port, debug=True)
        return 0
    workers = args.workers or settings.app.workers
    argv = [
        "gunicorn", "--workers", str(workers), "--threads", "4",
        "--bind", f"{settings.app.host}:{settings.app.port}",
        "--access-logfile", "-", "--timeout", "60", "ioc.app:make_server()",
    ]  # fmt: skip
    os.execvp(sys.executable, [sys.executable, "-m", *argv])


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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
    from geodata.registry import ward_codes

    try:
        user = add_user(Path(path), args.name, password, args.role, args.ward, ward_codes())
    except UsersFileError as exc:
        print(f"ioc users add: {exc}", file=sys.stderr)
        return 2
    print(
        f"user {user.name} ({user.role}{', ' + ','.join(sorted(user.wards)) if user.wards else ''}) written to {path}"
    )
    return 0


def cmd_users_unlock(settings: Settings, args: argparse.Namespace) -> int:
    from ioc.live import LiveState
    from ioc.throttle import unlock

    live = LiveState.from_url(settings.redis_url, settings.redis_prefix)
    if unlock(live, args.name):
        print(f"{args.name}: lockout ended")
        return 0
    print(f"{args.name}: was not locked out", file=sys.stderr)
    return 1


def cmd_users_logout(settings: Settings, args: argparse.Namespace) -> int:
    from ioc.live import LiveState
    from ioc.sessions import end_everywhere

    end_everywhere(args.name, LiveState.from_url(settings.redis_url, settings.redis_prefix))
    print(f"{args.name}: every session ended")
    return 0
