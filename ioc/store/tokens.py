"""Bearer tokens of the HTTP API (``api_tokens``): created, listed, revoked, resolved to a user.

A token is ``ioc_`` followed by 43 URL-safe characters (256 random bits), shown
once when created.  Only its SHA-256 is stored: random tokens need no slow hash,
and the database never holds one that works.  A token names a user of the users
file; the user's current role and wards apply on every request, so changing the
user's role changes what the token may do, and removing the user ends it.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg
from psycopg.rows import class_row

__all__ = ["PREFIX", "TokenRow", "create_token", "list_tokens", "revoke_token", "token_user"]

PREFIX = "ioc_"
_LAST_USED_EVERY_S = 60  # last_used_at is written at most once a minute per token


@dataclass(frozen=True, slots=True)
class TokenRow:
    id: int
    user_name: str
    label: str
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def create_token(conn: psycopg.Connection[Any], user_name: str, label: str = "") -> tuple[int, str]:
    """A new token for ``user_name``: its id and the token itself (not kept anywhere)."""
    token = PREFIX + secrets.token_urlsafe(32)
    with conn.transaction():
        row = conn.execute(
            "INSERT INTO api_tokens (user_name, label, token_hash) VALUES (%s, %s, %s) RETURNING id",
            (user_name, label, _digest(token)),
        ).fetchone()
    assert row is not None
    return int(row[0]), token


def list_tokens(conn: psycopg.Connection[Any]) -> list[TokenRow]:
    with conn.cursor(row_factory=class_row(TokenRow)) as cur:
        cur.execute(
            "SELECT id, user_name, label, created_at, last_used_at, revoked_at"
            " FROM api_tokens ORDER BY id"
        )
        return cur.fetchall()


def revoke_token(conn: psycopg.Connection[Any], token_id: int) -> bool:
    """Revoke a token for good; False when there is no such token or it was revoked before."""
    with conn.transaction():
        row = conn.execute(
            "UPDATE api_tokens SET revoked_at = now() WHERE id = %s AND revoked_at IS NULL"
            " RETURNING id",
            (token_id,),
        ).fetchone()
    return row is not None


def token_user(conn: psycopg.Connection[Any], token: str) -> tuple[int, str] | None:
    """(token id, user name) of a valid, unrevoked token; None otherwise."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    with conn.transaction():
        row = conn.execute(
            "SELECT id, user_name, last_used_at < now() - make_interval(secs => %s)"
            " OR last_used_at IS NULL FROM api_tokens"
            " WHERE token_hash = %s AND revoked_at IS NULL",
            (_LAST_USED_EVERY_S, _digest(token)),
        ).fetchone()
        if row is None:
            return None
        if row[2]:
            conn.execute("UPDATE api_tokens SET last_used_at = now() WHERE id = %s", (row[0],))
    return int(row[0]), str(row[1])
