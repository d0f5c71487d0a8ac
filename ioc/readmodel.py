"""The app's read model: what the pages show, from live state where it has it, else the store.

One object per app (built by :func:`ioc.app.create_app`) over the three adapters:
the database (:class:`ioc.store.db.Database`), live state in Redis
(:class:`ioc.live.LiveState`) and the shared query cache (:class:`ioc.cache.QueryCache`).
It owns the "live state, else the database" fallbacks, written once here:

* ward values of a metric: the live ward summaries, else the last hour of the minute rollup;
* latest values per device: live state, else the newest stored readings of the last day;
* device positions: the live position, else the one stored in ``devices``;
* the change version: Redis's counter, else a tick every 10 s (pages refresh from the store);
* the feed's freshness: the last update ingest reported, or "live state unavailable";
* each device's state (ok / warning / alarm / late / offline / no data), decided by
  :func:`ioc.rules.feeds.classify` from its live state and the rules in force.

Every other store query goes through :meth:`ReadModel.query`, cached under a key
derived from the query and its arguments.  Pages ask with :meth:`ReadModel.now`,
a clock that ticks once per cache TTL, so the workers asking in the same tick share
one answer.  Devices' live state without Redis, and every store query without
PostgreSQL, raise :class:`ioc.errors.ServiceUnavailable`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Concatenate, Literal, ParamSpec, TypeVar

from geodata.features import FeatureCollection, ward_features
from ioc.cache import QueryCache
from ioc.contract.catalogue import Metric
from ioc.errors import ServiceUnavailable
from ioc.live import LiveState
from ioc.rules.feeds import classify
from ioc.rules.loader import load_rules
from ioc.rules.schema import RuleSet
from ioc.store import queries
from ioc.store.db import Connection, Database
from ioc.store.records import LatestValues, WardRow
from vocab.states import DeviceStateName

__all__ = ["DeviceMarker", "DeviceState", "Feed", "ReadModel", "ValueWindow"]

P = ParamSpec("P")
R = TypeVar("R")
ValueWindow = Literal["live", "hour", "day", "week", "month"]
_WARDS_TTL_S = 60.0  # ward rows and boundaries change only on import


@dataclass(frozen=True, slots=True)
class Feed:
    """How fresh the data is: ``live`` is False when live state cannot be reached."""

    live: bool
    last_update: float | None  # epoch seconds of the newest write ingest reported


@dataclass(frozen=True, slots=True)
class DeviceState:
    """A device as live state last saw it."""

    device_id: str
    ward: str
    domain: str
    last_seen: float  # epoch seconds, 0 when unknown
    lat: float | None
    lon: float | None
    online: bool | None  # its last status message; None when it sent none

    @classmethod
    def from_hash(cls, device: str, h: Mapping[str, str]) -> DeviceState:
        """From the device's live hash (:meth:`ioc.live.LiveState.devices`)."""
        located = "lat" in h and "lon" in h
        return cls(
            device_id=device,
            ward=h.get("ward", ""),
            domain=h.get("domain", ""),
            last_seen=float(h.get("last_seen", 0) or 0),
            lat=float(h["lat"]) if located else None,
            lon=float(h["lon"]) if located else None,
            online=None if "online" not in h else h["online"] != "0",
        )


@dataclass(frozen=True, slots=True)
class DeviceMarker:
    device_id: str
    lat: float
    lon: float
    state: DeviceStateName


def _rollup_agg(m: Metric) -> Literal["avg", "max"]:
    """How a rollup window combines a ward's buckets: the highest for maxima, else the mean."""
    return "max" if m.ward_agg == "max" else "avg"


class ReadModel:
    def __init__(
        self,
        db: Database,
        live: LiveState,
        cache: QueryCache,
        *,
        rules: Callable[[], RuleSet] = load_rules,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.db = db
        self.live = live
        self.cache = cache
        self.rules = rules  # the rules in force (the app's RuleSource.current)
        self._clock = clock
        self._wards: tuple[float, list[WardRow]] = (0.0, [])
        self._features: tuple[float, FeatureCollection] = (0.0, {})

    def close(self) -> None:
        self.db.close()
        self.live.close()

    # ---- the clock and any store query ------------------------------------------

    def now(self) -> datetime:
        """The time queries are asked at: now, down to a multiple of the cache TTL."""
        at = self._clock()
        tick = self.cache.ttl_ms / 1000
        if tick > 0:
            at -= at % tick
        return datetime.fromtimestamp(at, UTC)

    def query(
        self, fn: Callable[Concatenate[Connection, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """``fn(conn, *args, **kwargs)`` from :mod:`ioc.store.queries`, through the shared cache."""
        return self.cache.query(self.db, fn, *args, **kwargs)

    def incident_query(
        self, fn: Callable[Concatenate[Connection, P], R], *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """:meth:`query` for incident reads: cached under the incidents revision, which a
        person's action moves, so the one who acted (and every wall) sees it at once."""
        try:
            revision = self.live.incidents_rev()
        except ServiceUnavailable:
            return self.db.run(fn, *args, **kwargs)  # no shared cache to go stale either
        return self.cache.query_at(revision, self.db, fn, *args, **kwargs)

    # ---- wards -----------------------------------------------------------------

    def wards(self) -> list[WardRow]:
        """The ward rows, re-read once a minute (they change only on import)."""
        at, rows = self._wards
        if not rows or time.monotonic() - at > _WARDS_TTL_S:
            rows = self.db.run(queries.ward_rows)
            self._wards = (time.monotonic(), rows)
        return rows

    def ward(self, code: str | None) -> WardRow | None:
        return next((w for w in self.wards() if w.code == code), None)

    def ward_codes(self, wards: Sequence[str] | None = None) -> list[str]:
        """``wards`` as a list, or every ward's code when it is None (no restriction)."""
        return list(wards) if wards is not None else [w.code for w in self.wards()]

    def ward_names(self, lang: str) -> dict[str, str]:
        return {w.code: w.label(lang) for w in self.wards()}

    def features(self) -> FeatureCollection:
        """The wards as GeoJSON features to draw (imported boundaries, else the schematic)."""
        at, fc = self._features
        if not fc or time.monotonic() - at > _WARDS_TTL_S:
            fc = dict(ward_features(self.db.run(queries.boundary_rows)))
            self._features = (time.monotonic(), fc)
        return fc

    # ---- the change signal ---------------------------------------------------------

    def version(self) -> int:
        """Moves when ingest wrote something; without live state, once every 10 s."""
        try:
            return self.live.version()
        except ServiceUnavailable:
            return -int(self._clock() // 10)

    def feed(self) -> Feed:
        try:
            return Feed(True, self.live.last_update())
        except ServiceUnavailable:
            return Feed(False, None)

    # ---- values --------------------------------------------------------------------

    def ward_values(
        self, m: Metric, codes: Sequence[str], window: ValueWindow = "live"
    ) -> dict[str, float | None]:
        """ward -> value of ``m``: live, combined the catalogue's way (avg, sum or max), or
        over a rollup window.  Without live state, the last hour from the minute rollup."""
        if window == "live":
            try:
                sums = self.live.ward_summaries(codes)
            except ServiceUnavailable:
                window = "hour"
            else:
                return {
                    c: (sums[c][m.name][m.ward_agg] if m.name in sums.get(c, {}) else None)
                    for c in codes
                }
        got = self.query(
            queries.ward_metric_window, m.name, window, self.now(), list(codes), _rollup_agg(m)
        )
        return {c: got.get(c) for c in codes}

    def latest(self, devices: Sequence[str]) -> LatestValues:
        """device -> metric -> (value, epoch s): live, else the newest stored of the last day."""
        try:
            return self.live.latest_many(devices)
        except ServiceUnavailable:
            since = self.now() - timedelta(days=1)
            return self.query(queries.latest_readings, list(devices), since)

    # ---- devices -----------------------------------------------------------------

    def devices(self) -> dict[str, DeviceState]:
        """Every device's live state, through the shared cache: one GET instead of one HGETALL
        per device on each wall / map refresh (online / offline may trail by the cache TTL)."""
        hashes = self.cache.call(self.live.devices)
        return {d: DeviceState.from_hash(d, h) for d, h in hashes.items()}

    def device_states(self, codes: Sequence[str]) -> dict[str, DeviceStateName]:
        """device -> its state, for the live devices of the wards ``codes``."""
        allowed = set(codes)
        devices = {d: s for d, s in self.devices().items() if s.ward in allowed}
        latest = self.cache.call(self.live.latest_many, sorted(devices))
        rules, now = self.rules(), self._clock()
        return {
            d: classify(rules, d, s.ward, s.domain, s.last_seen, s.online, latest.get(d, {}), now)
            for d, s in devices.items()
        }

    def state_of(
        self,
        device: str,
        ward: str,
        domain: str,
        last_seen: float | None,
        online: bool | None,
        latest: dict[str, tuple[float, float]],
    ) -> DeviceStateName:
        """One device's state from what a page already holds (a stored row, its latest values)."""
        return classify(self.rules(), device, ward, domain, last_seen, online, latest, self._clock())  # fmt: skip

    def device_counts(self, codes: Sequence[str]) -> dict[DeviceStateName, int]:
        """How many devices of the wards ``codes`` are in each state."""
        counts: dict[DeviceStateName, int] = {}
        for state in self.device_states(codes).values():
            counts[state] = counts.get(state, 0) + 1
        return counts

    def device_markers(self, domain: str, codes: Sequence[str]) -> list[DeviceMarker]:
        """The domain's devices in ``codes`` with a position (live, else the stored one) and
        their state."""
        stored = self.query(queries.device_positions, domain)
        live = {d: s for d, s in self.devices().items() if s.domain == domain}
        states = self.device_states(codes)
        out = []
        for device, d in live.items():
            if device not in states:
                continue
            if d.lat is not None and d.lon is not None:
                lat, lon = d.lat, d.lon
            elif device in stored:
                lat, lon = stored[device]
            else:
                continue
            out.append(DeviceMarker(device, lat, lon, states[device]))
        return out
