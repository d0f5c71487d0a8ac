"""``ioc tokens create|list|revoke``: bearer tokens of the HTTP API (docs/api.md).

``create`` prints the token once; only its SHA-256 is stored.  The user must be
in the users file (the token acts with that user's current role and wards).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ioc.auth import load_users
from ioc.config import Settings
from ioc.store.db import connect
from ioc.store.tokens import create_token, list_tokens, revoke_token
from vocab.fmt import fmt_datetime

__all__ = ["register"]


def register(sub: Any) -> None:
    p = sub.add_parser("tokens", help="API tokens (bearer) for /api/v1")
    s = p.add_subparsers(dest="action", required=True)
    c = s.add_parser("create", help="create a token for a user; printed once")
    c.add_argument("--user", required=True, help="a user of the users file")
    c.add_argument("--name", default="", help="a label saying what the token is for")
    c.add_argument("--file", type=Path, default=None, help="users file (default: the setting)")
    c.set_defaults(func=cmd_create)
    ls = s.add_parser("list", help="list tokens (never the tokens themselves)")
    ls.set_defaults(func=cmd_list)
    rv = s.add_parser("revoke", help="revoke a token by its id")
    rv.add_argument("id", type=int)
    rv.set_defaults(func=cmd_revoke)


def cmd_create(settings: Settings, args: argparse.Namespace) -> int:
    path = args.file or settings.app.users_file
    if path is None:
        print("no users file: set IOC_APP__USERS_FILE or pass --file", file=sys.stderr)
        return 2
    user = load_users(Path(path)).get(args.user)
    if user is None:
        print(f"ioc tokens create: no user {args.user!r} in {path}", file=sys.stderr)
        return 2
    with connect(settings.database_url, settings.db_schema) as conn:
        token_id, token = create_token(conn, user.name, args.name)
    print(f"token {token_id} for {user.name} ({user.role}); shown once, store it now:",
          file=sys.stderr)  # fmt: skip
    print(token)
    return 0


def cmd_list(settings: Settings, args: argparse.Namespace) -> int:
    with connect(settings.database_url, settings.db_schema) as conn:
        rows = list_tokens(conn)
    print(f"{'id':>5}  {'user':<16} {'label':<24} {'created':<16}  {'last used':<16}  state")
    for r in rows:
        state = f"revoked {fmt_datetime(r.revoked_at)}" if r.revoked_at else "active"
        print(f"{r.id:>5}  {r.user_name:<16} {r.label[:24]:<24} {fmt_datetime(r.created_at):<16}"
              f"  {fmt_datetime(r.last_used_at):<16}  {state}")  # fmt: skip
    return 0


def cmd_revoke(settings: Settings, args: argparse.Namespace) -> int:
    with connect(settings.database_url, settings.db_schema) as conn:
        done = revoke_token(conn, args.id)
    if not done:
        print(f"ioc tokens revoke: no active token {args.id}", file=sys.stderr)
        return 1
    print(f"token {args.id} revoked")
    return 0
