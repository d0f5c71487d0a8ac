"""Live state in Redis: latest values, ward summaries, device last-seen and a change counter.

Written by ingest after each committed batch, read by the app.  Everything here
can be rebuilt from PostgreSQL, so Redis keeps nothing on disk.  Keys (``P`` is
the configured prefix):

=============================  ====================================================
``P:latest:{device}``          hash metric -> ``{"v": value, "ts": epoch_s}``
``P:device:{device}``          hash ward, domain, last_seen, lat, lon, online
``P:devices``                  sorted set device -> last_seen epoch
``P:wardvals:{ward}:{metric}`` hash device -> latest value (input of the summary)
``P:ward:{ward}``              hash metric -> ``{"avg","min","max","sum","n"}``
``P:version``                  integer, incremented once per applied update
``P:incidents_rev``            integer, incremented when a person changed an incident
``P:last_update``              epoch seconds of the newest write
``P:stats:{worker}``           hash of ingest counters, per worker (expires after 1 h)
``P:cache:{key}``              the app's shared query cache (:mod:`ioc.cache`), short TTL
=============================  ====================================================

The app polls ``P:version`` (one GET) and re-reads only when it moved.
"""

from __future__ import annotations

import functools
import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ParamSpec, TypeVar

import redis

from ioc.errors import ServiceUnavailable

__all__ = ["DeviceValue", "LiveState", "positions"]

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class DeviceValue:
    """One reading as the live layer sees it."""

    device: str
    ward: str
    domain: str
    metric: str
    value: float
    ts: float  # epoch seconds
    lat: float | None = None
    lon: float | None = None


def positions(values: Iterable[DeviceValue]) -> dict[str, tuple[float, float]]:
    """device -> its newest (lat, lon) among ``values``.

    Devices send their position only now and then (the simulators on every 60th
    message), and the live updater merges several batches into one ``apply``: the
    position must be taken from whichever reading carried it, not only from the
    newest reading, or a later reading without one drops it.
    """
    best: dict[str, tuple[float, float, float]] = {}  # device -> (ts, lat, lon)
    for dv in values:
        if dv.lat is None or dv.lon is None:
            continue
        prev = best.get(dv.device)
        if prev is None or dv.ts >= prev[0]:
            best[dv.device] = (dv.ts, dv.lat, dv.lon)
    return {d: (lat, lon) for d, (_ts, lat, lon) in best.items()}


P = ParamSpec("P")
R = TypeVar("R")


def _unavailable(method: Callable[P, R]) -> Callable[P, R]:
    """Redis errors leave the adapter as :class:`ServiceUnavailable`, so callers need no driver."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return method(*args, **kwargs)
        except redis.RedisError as exc:
            raise ServiceUnavailable(f"Redis: {exc}") from exc

    return wrapper


def _s(x: Any) -> str:
    """Redis answers bytes or str depending on the client's decode_responses."""
    return x.decode() if isinstance(x, bytes) else str(x)


class LiveState:
    """The Redis adapter.  Pass a ``redis.Redis``; every key is under ``prefix``."""

    def __init__(self, client: redis.Redis, prefix: str = "ioc") -> None:
        self.r = client
        self.p = prefix

    @classmethod
    def from_url(cls, url: str, prefix: str = "ioc") -> LiveState:
        client = redis.Redis.from_url(
            url, socket_timeout=2, socket_connect_timeout=2, health_check_interval=15
        )
        return cls(client, prefix)

    def key(self, *parts: str) -> str:
        return ":".join((self.p, *parts))

    # ---- writing (ingest) -------------------------------------------------

    @_unavailable
    def apply(
        self,
        values: Sequence[DeviceValue],
        statuses: Mapping[str, bool] | None = None,
        *,
        events: int = 0,
        now: float = 0.0,
    ) -> int:
        """Write committed readings and status changes; returns the new version.

        ``events`` counts the new events stored with them: they change no key
        here, but a batch of events alone still moves the version, so the pages
        that show events re-read.
        """
        pipe = self.r.pipeline(transaction=False)
        touched: set[tuple[str, str]] = set()
        newest: dict[str, DeviceValue] = {}
        for dv in values:
            prev = newest.get(f"{dv.device}|{dv.metric}")
            if prev is None or dv.ts >= prev.ts:
                newest[f"{dv.device}|{dv.metric}"] = dv
        for dv in newest.values():
            pipe.hset(
                self.key("latest", dv.device), dv.metric, json.dumps({"v": dv.value, "ts": dv.ts})
            )
            pipe.hset(self.key("wardvals", dv.ward, dv.metric), dv.device, repr(dv.value))
            touched.add((dv.ward, dv.metric))
        seen: dict[str, DeviceValue] = {}
        for dv in newest.values():
            if dv.device not in seen or dv.ts > seen[dv.device].ts:
                seen[dv.device] = dv
        where = positions(values)
        for dv in seen.values():
            mapping: dict[str, str] = {
                "ward": dv.ward,
                "domain": dv.domain,
                "last_seen": repr(dv.ts),
            }
            if dv.device in where:
                mapping["lat"], mapping["lon"] = (repr(x) for x in where[dv.device])
            pipe.hset(self.key("device", dv.device), mapping=mapping)  # type: ignore[arg-type]
            pipe.zadd(self.key("devices"), {dv.device: dv.ts}, gt=True)
        for device, online in (statuses or {}).items():
            pipe.hset(self.key("device", device), "online", "1" if online else "0")
        pipe.execute()
        if touched:
            self._summarise(touched)
        version = int(self.r.incr(self.key("version")))
        self.r.set(self.key("last_update"), repr(now))
        return version

    def _summarise(self, touched: Iterable[tuple[str, str]]) -> None:
        pairs = sorted(touched)
        pipe = self.r.pipeline(transaction=False)
        for ward, metric in pairs:
            pipe.hvals(self.key("wardvals", ward, metric))
        results = pipe.execute()
        pipe = self.r.pipeline(transaction=False)
        for (ward, metric), raw in zip(pairs, results, strict=True):
            vals = [float(v) for v in raw]
            if not vals:
                continue
            summary = {
                "avg": sum(vals) / len(vals),
                "min": min(vals),
                "max": max(vals),
                "sum": sum(vals),
                "n": len(vals),
            }
            pipe.hset(self.key("ward", ward), metric, json.dumps(summary))
        pipe.execute()

    @_unavailable
    def write_stats(self, worker: str, counters: Mapping[str, int | float]) -> None:
        self.r.hset(self.key("stats", worker), mapping={k: str(v) for k, v in counters.items()})
        self.r.expire(self.key("stats", worker), 3600)

    def close(self) -> None:
        """Close the client's connections (the worker that was handed this adapter does)."""
        self.r.close()

    # ---- reading (app) ----------------------------------------------------

    @_unavailable
    def clear_stats(self, worker: str) -> None:
        self.r.delete(self.key("stats", worker))

    @_unavailable
    def version(self) -> int:
        raw = self.r.get(self.key("version"))
        return int(raw) if raw else 0

    @_unavailable
    def incidents_rev(self) -> int:
        """Moves when someone acted on an incident: part of the incident queries' cache key,
        so every screen sees an action at once rather than after the cache's TTL."""
        raw = self.r.get(self.key("incidents_rev"))
        return int(raw) if raw else 0

    @_unavailable
    def incidents_changed(self) -> int:
        """An incident was changed by a person: move the incidents revision and the version
        (every open page re-reads on its next poll).  Returns the new version."""
        pipe = self.r.pipeline(transaction=False)
        pipe.incr(self.key("incidents_rev"))
        pipe.incr(self.key("version"))
        return int(pipe.execute()[1])

    @_unavailable
    def last_update(self) -> float | None:
        raw = self.r.get(self.key("last_update"))
        return float(raw) if raw else None

    @_unavailable
    def latest(self, device: str) -> dict[str, tuple[float, float]]:
        """metric -> (value, ts) for one device."""
        raw = self.r.hgetall(self.key("latest", device))
        out = {}
        for k, v in raw.items():
            doc = json.loads(v)
            out[_s(k)] = (float(doc["v"]), float(doc["ts"]))
        return out

    @_unavailable
    def latest_many(self, devices: Iterable[str]) -> dict[str, dict[str, tuple[float, float]]]:
        """device -> metric -> (value, ts) for many devices in one round trip."""
        names = list(devices)
        pipe = self.r.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(self.key("latest", name))
        out: dict[str, dict[str, tuple[float, float]]] = {}
        for name, raw in zip(names, pipe.execute(), strict=True):
            values = {}
            for k, v in raw.items():
                doc = json.loads(v)
                values[_s(k)] = (float(doc["v"]), float(doc["ts"]))
            out[name] = values
        return out

    @_unavailable
    def devices(self) -> dict[str, dict[str, str]]:
        """device -> its hash (ward, domain, last_seen, lat, lon, online)."""
        names = [_s(d) for d in self.r.zrange(self.key("devices"), 0, -1)]
        pipe = self.r.pipeline(transaction=False)
        for name in names:
            pipe.hgetall(self.key("device", name))
        return {
            name: {_s(k): _s(v) for k, v in h.items()}
            for name, h in zip(names, pipe.execute(), strict=True)
        }

    @_unavailable
    def ward_summary(self, ward: str) -> dict[str, dict[str, float]]:
        raw = self.r.hgetall(self.key("ward", ward))
        return {_s(k): json.loads(v) for k, v in raw.items()}

    @_unavailable
    def ward_summaries(self, wards: Iterable[str]) -> dict[str, dict[str, dict[str, float]]]:
        codes = list(wards)
        pipe = self.r.pipeline(transaction=False)
        for code in codes:
            pipe.hgetall(self.key("ward", code))
        return {
            code: {_s(k): json.loads(v) for k, v in raw.items()}
            for code, raw in zip(codes, pipe.execute(), strict=True)
        }

    @_unavailable
    def stats(self) -> dict[str, dict[str, str]]:
        out = {}
        for k in self.r.scan_iter(self.key("stats", "*")):
            worker = _s(k).rsplit(":", 1)[-1]
            out[worker] = {_s(a): _s(b) for a, b in self.r.hgetall(k).items()}
        return out

    # ---- the app's shared query cache (ioc.cache) ----------------------------

    @_unavailable
    def cache_get(self, key: str) -> bytes | None:
        raw = self.r.get(self.key("cache", key))
        return None if raw is None else raw if isinstance(raw, bytes) else str(raw).encode()

    @_unavailable
    def cache_set(self, key: str, value: bytes, ttl_ms: int) -> None:
        self.r.set(self.key("cache", key), value, px=ttl_ms)

    # ---- login throttle and session revocation (app) ----------------------
    # Keys ``P:auth:{name}``: fixed-window counters (the window starts at the first hit),
    # marks with an expiry, and per-user session epochs.  See ioc/throttle.py, ioc/sessions.py.

    @_unavailable
    def hit(self, *counters: tuple[str, int]) -> list[tuple[int, int]]:
        """Add one to each ``(name, window_s)`` counter: [(count, seconds left)] in order."""
        pipe = self.r.pipeline(transaction=False)
        for name, window_s in counters:
            key = self.key("auth", name)
            pipe.incr(key)
            pipe.expire(key, window_s, nx=True)
            pipe.ttl(key)
        raw = pipe.execute()
        return [(int(raw[i]), max(1, int(raw[i + 2]))) for i in range(0, len(raw), 3)]

    @_unavailable
    def unhit(self, name: str) -> None:
        """Take one back from a counter (a success that was counted as an attempt)."""
        key = self.key("auth", name)
        if int(self.r.decr(key)) <= 0:
            self.r.delete(key)

    @_unavailable
    def forget(self, *names: str) -> int:
        return int(self.r.delete(*(self.key("auth", n) for n in names))) if names else 0

    @_unavailable
    def mark(self, name: str, ttl_s: int) -> None:
        self.r.set(self.key("auth", name), "1", ex=max(1, ttl_s))

    @_unavailable
    def bump(self, name: str) -> int:
        return int(self.r.incr(self.key("auth", name)))

    @_unavailable
    def auth_values(self, *names: str) -> list[int]:
        """The integers under ``names`` (0 when missing; a mark reads 1), in one round trip."""
        raw = self.r.mget([self.key("auth", n) for n in names]) if names else []
        return [int(v) if v else 0 for v in raw]
