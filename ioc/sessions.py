"""Session lifecycle: what a session cookie carries and when it stops being valid.

The cookie is Flask's signed session.  At login it gets the user's name, a random
session id, the login time, the last-seen time, the user's session *epoch* and a
*stamp* of the user's entry in the users file.  On every request the session ends when:

- the stamp differs: the password, the role or the wards changed in the users file;
- the epoch differs: "log out everywhere" (``POST /logout`` with ``everywhere=1``,
  ``ioc users logout NAME``) moved the user's epoch in Redis;
- its id was revoked: ``POST /logout`` marks it in Redis;
- it was idle longer than ``idle_timeout_s``, or is older than ``session_max_age_s``.

Revocations in Redis need to outlive only one idle timeout: a refused cookie can no
longer refresh its last-seen time, so the idle rule ends it for good after that.  When
Redis is unreachable those two checks are skipped (logged); the others still hold.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
import time
from collections.abc import MutableMapping
from dataclasses import dataclass
from typing import Any, Protocol

from ioc.errors import ServiceUnavailable
from ioc.live import LiveState

__all__ = ["SessionRules", "begin", "end", "end_everywhere", "problem"]

log = logging.getLogger(__name__)
_TOUCH_EVERY_S = 60  # refresh last-seen at most this often (each refresh re-sends the cookie)


class _Account(Protocol):
    @property
    def name(self) -> str: ...
    @property
    def role(self) -> str: ...
    @property
    def wards(self) -> frozenset[str]: ...
    @property
    def password_hash(self) -> str: ...


@dataclass(frozen=True, slots=True)
class SessionRules:
    secret: str
    idle_s: int
    max_age_s: int


def stamp(user: _Account, secret: str) -> str:
    """A keyed digest of what, when changed, must end the user's sessions."""
    text = "|".join((user.name, user.password_hash, user.role, ",".join(sorted(user.wards))))
    return hmac.new(secret.encode(), text.encode(), hashlib.sha256).hexdigest()[:24]


def _epoch_key(name: str) -> str:
    return f"epoch:{name}"


def _revoked_key(sid: str) -> str:
    return f"revoked:{sid}"


def begin(
    session: MutableMapping[str, Any], user: _Account, rules: SessionRules, live: LiveState
) -> None:
    """Fill a cleared session for ``user``."""
    try:
        [epoch] = live.auth_values(_epoch_key(user.name))
    except ServiceUnavailable:
        epoch = 0  # compared only while Redis answers
    now = int(time.time())
    session.update(
        user=user.name, sid=secrets.token_urlsafe(12), iat=now, seen=now,
        stamp=stamp(user, rules.secret), epoch=epoch,
    )  # fmt: skip


_warned = [0.0]


def problem(
    session: MutableMapping[str, Any], user: _Account, rules: SessionRules, live: LiveState
) -> str | None:
    """Why this session is no longer valid, or None (and its last-seen time is refreshed)."""
    now = int(time.time())
    if not hmac.compare_digest(str(session.get("stamp", "")), stamp(user, rules.secret)):
        return "account changed"
    iat, seen = session.get("iat"), session.get("seen")
    if not isinstance(iat, int) or not isinstance(seen, int):
        return "no times"
    if now - iat > rules.max_age_s:
        return "too old"
    if now - seen > rules.idle_s:
        return "idle"
    try:
        epoch, revoked = live.auth_values(
            _epoch_key(user.name), _revoked_key(str(session.get("sid")))
        )
    except ServiceUnavailable as exc:
        if time.monotonic() - _warned[0] > 30:
            _warned[0] = time.monotonic()
            log.warning("session revocations not checked while Redis is unavailable: %s", exc)
    else:
        if revoked:
            return "logged out"
        if epoch != session.get("epoch"):
            return "logged out everywhere"
    if now - seen >= _TOUCH_EVERY_S:
        session["seen"] = now
    return None


def end(session: MutableMapping[str, Any], rules: SessionRules, live: LiveState) -> None:
    """Log this session out: revoke its id (for one idle timeout) and clear it."""
    sid = session.get("sid")
    if sid:
        try:
            live.mark(_revoked_key(str(sid)), rules.idle_s + _TOUCH_EVERY_S)
        except ServiceUnavailable as exc:
            log.warning("logout could not revoke the session in Redis: %s", exc)
    session.clear()


def end_everywhere(name: str, live: LiveState) -> int:
    """End every session of ``name`` (move its epoch); the new epoch."""
    return live.bump(_epoch_key(name))
