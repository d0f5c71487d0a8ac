"""A short-TTL cache of query results in Redis, shared by every app worker.

Several wall screens and browsers ask the same questions every second; the
first asker runs the query and the others read its JSON for ``ttl`` seconds.
Values must be JSON (lists, dicts, numbers, strings); datetimes round-trip.
A Redis failure never fails the page: the query simply runs uncached.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

import redis

__all__ = ["QueryCache"]

log = logging.getLogger(__name__)
T = TypeVar("T")


def _default(obj: object) -> object:
    if isinstance(obj, datetime):
        return {"__dt__": obj.isoformat()}
    raise TypeError(f"cannot cache {type(obj).__name__}")


def _hook(doc: dict[str, Any]) -> object:
    if len(doc) == 1 and "__dt__" in doc:
        return datetime.fromisoformat(doc["__dt__"])
    return doc


class QueryCache:
    def __init__(self, client: redis.Redis, prefix: str, ttl_s: float) -> None:
        self.r = client
        self.prefix = f"{prefix}:cache:"
        self.ttl_ms = int(ttl_s * 1000)
        self._warned_at = 0.0

    def _warn(self, what: str, key: str, exc: Exception) -> None:
        # Every panel asks every second: say it once in a while, not a thousand times.
        now = time.monotonic()
        if now - self._warned_at >= 30:
            self._warned_at = now
            log.warning("cache %s %s failed (queries run uncached): %s", what, key, exc)

    def get_or_compute(self, key: str, compute: Callable[[], T]) -> T:
        if self.ttl_ms <= 0:
            return compute()
        full = self.prefix + key
        try:
            raw = self.r.get(full)
        except redis.RedisError as exc:
            self._warn("read", key, exc)
            return compute()
        if raw is not None:
            value: T = json.loads(raw, object_hook=_hook)
            return value
        value = compute()
        try:
            self.r.set(full, json.dumps(value, default=_default), px=self.ttl_ms)
        except redis.RedisError as exc:
            self._warn("write", key, exc)
        return value
