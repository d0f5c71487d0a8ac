"""The loop of a periodic service (``ioc monitor``, ``ioc notify``): pass after pass until stopped.

A database outage is logged once (and every ``log_every`` passes while it lasts)
and waited out with a growing pause; a store error is logged with its traceback;
neither stops the loop.  Anything else is a bug and leaves the loop.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from ioc.errors import ServiceUnavailable, StoreError

__all__ = ["run_periodic"]


def run_periodic(
    step: Callable[[], None],
    stop: threading.Event,
    interval_s: float,
    *,
    log: logging.Logger,
    what: str,
    log_every: int = 20,
) -> None:
    """Call ``step`` every ``interval_s`` (longer while it fails) until ``stop`` is set."""
    failures = 0
    while not stop.is_set():
        try:
            step()
            failures = 0
        except ServiceUnavailable as exc:
            failures += 1
            if failures == 1 or failures % log_every == 0:
                log.warning("database unavailable, %s wait: %s", what, exc)
        except StoreError:
            failures += 1
            log.exception("%s failed", what)
        stop.wait(interval_s if failures == 0 else max(interval_s, min(30.0, float(failures))))
