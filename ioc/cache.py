"""A short-TTL cache of query answers in Redis, shared by every app worker.

Several wall screens and browsers ask the same questions every second; the
first asker runs the query and the others read its answer for ``ttl`` seconds.
The key is derived from the function and its arguments (defaults filled in), so
a query that gains an argument can never be answered from another call's entry.
Answers are stored as JSON through a pydantic ``TypeAdapter`` built from the
function's return annotation, so a cached answer is the same typed value a fresh
one is (records, datetimes, tuples; never pickle).  Redis is reached through the
adapter (:class:`ioc.live.LiveState`); its failure never fails the page: the
query simply runs uncached.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import logging
import time
import typing
from collections.abc import Callable, Mapping
from typing import Any, Concatenate, ParamSpec, TypeVar

import pydantic
import pydantic_core

from ioc.errors import ServiceUnavailable
from ioc.live import LiveState
from ioc.store.db import Connection, Database

__all__ = ["QueryCache", "cache_key"]

log = logging.getLogger(__name__)
P = ParamSpec("P")
R = TypeVar("R")


def _function(fn: Callable[..., Any]) -> Callable[..., Any]:
    """The plain function behind a bound method: what the key and the codec are built from."""
    return getattr(fn, "__func__", fn)


@functools.cache
def _signature(fn: Callable[..., Any], skip: int) -> inspect.Signature:
    sig = inspect.signature(fn)
    return sig.replace(parameters=list(sig.parameters.values())[skip:])


@functools.cache
def _codec(fn: Callable[..., Any]) -> pydantic.TypeAdapter[Any]:
    """JSON encoder / decoder of what ``fn`` returns, from its return annotation."""
    return pydantic.TypeAdapter(typing.get_type_hints(fn)["return"])


def cache_key(
    fn: Callable[..., Any], args: tuple[Any, ...], kwargs: Mapping[str, Any], *, skip: int = 0
) -> str:
    """``module.qualname:digest`` of ``fn`` called with these arguments.

    The arguments are bound to the signature with the defaults applied, so
    ``f(x)`` and ``f(x, limit=200)`` share an entry when 200 is the default;
    ``skip`` leaves out leading parameters that are not part of the question
    (``self`` of a bound method is never in its signature; a query's connection is).
    """
    plain = _function(fn)
    sig = _signature(plain, skip + (1 if plain is not fn else 0))
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    payload = pydantic_core.to_json(dict(bound.arguments))
    digest = hashlib.blake2b(payload, digest_size=12).hexdigest()
    return f"{plain.__module__}.{plain.__qualname__}:{digest}"


class QueryCache:
    """Answers of functions, shared through Redis for ``ttl_s`` (0 turns the cache off)."""

    def __init__(self, live: LiveState, ttl_s: float) -> None:
        self.live = live
        self.ttl_ms = int(ttl_s * 1000)
        self._warned_at = 0.0

    def call(self, fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
        """``fn(*args, **kwargs)``, or the answer another caller got within the TTL."""
        return self._cached(fn, cache_key(fn, args, kwargs), lambda: fn(*args, **kwargs))

    def query(
        self,
        db: Database,
        fn: Callable[Concatenate[Connection, P], R],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """``fn(conn, *args, **kwargs)`` on a pooled connection, or a shared recent answer."""
        key = cache_key(fn, args, kwargs, skip=1)
        return self._cached(fn, key, lambda: db.run(fn, *args, **kwargs))

    def query_at(
        self,
        revision: int,
        db: Database,
        fn: Callable[Concatenate[Connection, P], R],
        *args: P.args,
        **kwargs: P.kwargs,
    ) -> R:
        """:meth:`query` for data with a revision counter: an answer cached before the
        revision moved is never returned (the key carries the revision)."""
        key = f"{cache_key(fn, args, kwargs, skip=1)}@{revision}"
        return self._cached(fn, key, lambda: db.run(fn, *args, **kwargs))

    def _cached(self, fn: Callable[..., R], key: str, compute: Callable[[], R]) -> R:
        if self.ttl_ms <= 0:
            return compute()
        codec = _codec(_function(fn))
        try:
            raw = self.live.cache_get(key)
        except ServiceUnavailable as exc:
            self._warn("read", key, exc)
            return compute()
        if raw is not None:
            try:
                value: R = codec.validate_json(raw)
                return value
            except pydantic.ValidationError as exc:  # written by another version of the app
                self._warn("decode", key, exc)
        value = compute()
        try:
            self.live.cache_set(key, codec.dump_json(value), self.ttl_ms)
        except ServiceUnavailable as exc:
            self._warn("write", key, exc)
        return value

    def _warn(self, what: str, key: str, exc: Exception) -> None:
        # Every panel asks every second: say it once in a while, not a thousand times.
        now = time.monotonic()
        if now - self._warned_at >= 30:
            self._warned_at = now
            log.warning("cache %s %s failed (queries run uncached): %s", what, key, exc)
