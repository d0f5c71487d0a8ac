"""Login throttling: failed attempts per client address and per user name, and a lockout.

Every attempt is counted *before* the password is checked (so sixteen concurrent guesses
cannot all slip under the limit) and a success takes its count back.  Per address: more
than ``ip_max`` attempts in ``window_s`` and the address gets HTTP 429 until the window
ends.  Per user name (known or not, so the answer tells nothing about who exists): the
``user_max``-th failure locks the name for ``lockout_s``; ``ioc users unlock NAME`` ends
it sooner.  For the whole app: at most ``checks_per_s`` password checks a second (each is
~0.1-0.2 s of scrypt), so many addresses together cannot starve the control room's
callbacks of CPU; the rest get 429 with ``Retry-After: 1``.  Counters live in Redis
(:class:`ioc.live.LiveState`), shared by every worker; when Redis is down logins are not
throttled (logged), and one check at a time per process still bounds the work.

Written here rather than with Flask-Limiter: the limits count only *failed* logins (a
success is taken back), per user name as well as per address, and the lockout must be
lifted from the command line (``ioc users unlock``) without the web app; Flask-Limiter
counts requests per route and keeps its keys in the ``limits`` library's own format.
"""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass

from ioc.config import LoginThrottle
from ioc.errors import ServiceUnavailable
from ioc.live import LiveState

__all__ = ["Refused", "Throttle"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Refused:
    retry_after_s: int
    why: str  # "address" | "user" | "busy"


def _user_key(name: str) -> str:
    return f"login:user:{name[:128]}"


class Throttle:
    def __init__(self, live: LiveState, limits: LoginThrottle) -> None:
        self.live, self.limits = live, limits
        # One password hash at a time per process: a flood of logins must not take every
        # thread and core from the control room's callbacks (scrypt: ~0.1 s, 32 MiB each).
        self._hashing = threading.BoundedSemaphore(1)
        self._warned = 0.0

    def _unavailable(self, exc: ServiceUnavailable) -> None:
        if time.monotonic() - self._warned > 30:
            self._warned = time.monotonic()
            log.warning("login throttle off while Redis is unavailable: %s", exc)

    def attempt(self, address: str, name: str) -> Refused | None:
        """Count an attempt; a :class:`Refused` when it must not be tried."""
        lim = self.limits
        try:
            (per_ip, ip_left), (per_user, user_left) = self.live.hit(
                (f"login:ip:{address}", lim.window_s), (_user_key(name), lim.lockout_s)
            )
            if per_user > lim.user_max:
                return Refused(user_left, "user")
            if per_ip > lim.ip_max:
                return Refused(ip_left, "address")
            # Whole-app budget of password checks: attackers with many addresses cannot
            # turn scrypt into a denial of service for the control room's callbacks.
            [(checks, _)] = self.live.hit((f"login:checks:{int(time.time())}", 2))
        except ServiceUnavailable as exc:
            self._unavailable(exc)
            return None
        if checks > lim.checks_per_s:
            return Refused(1, "busy")
        return None

    def succeeded(self, address: str, name: str) -> None:
        try:
            self.live.unhit(f"login:ip:{address}")
            self.live.forget(_user_key(name))
        except ServiceUnavailable as exc:
            self._unavailable(exc)

    def hashing_slot(self) -> threading.BoundedSemaphore | None:
        """The process's hashing slot, acquired (release it), or None when busy for 0.25 s."""
        return self._hashing if self._hashing.acquire(timeout=0.25) else None


def unlock(live: LiveState, name: str) -> bool:
    """End ``name``'s lockout (``ioc users unlock``); True when there was one."""
    return live.forget(_user_key(name)) > 0
