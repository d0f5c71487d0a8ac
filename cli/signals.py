"""SIGTERM and SIGINT as a stop event for the long-running commands (finish the current step)."""

from __future__ import annotations

import logging
import signal
import threading
from types import FrameType

__all__ = ["stop_on_signals"]


def stop_on_signals(log: logging.Logger, what: str) -> threading.Event:
    """An event set by SIGTERM or SIGINT, each logged as stopping after ``what``."""
    stop = threading.Event()

    def _signal(signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: stopping after %s", signum, what)
        stop.set()

    signal.signal(signal.SIGTERM, _signal)
    signal.signal(signal.SIGINT, _signal)
    return stop
