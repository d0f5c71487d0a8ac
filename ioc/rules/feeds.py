"""Feeds and device states: how late a feed may be, and the one place a device's state is decided.

A device's **cadence** is the slowest catalogue cadence of the metrics it sends
(the domain's when they are not known), unless the rules file's ``feeds.devices``
gives it its own.  Its feed is **late** after ``feeds.late_after`` cadences
without a message and **offline** after ``feeds.offline_after`` (never sooner
than ``feeds.min_offline``) or as soon as its last will says ``offline``; a
retained ``online`` marks it up until its data is late.  Its **level** is the
worst rule step its newest values cross (low / medium severity: warning; high /
critical: alarm).  :func:`device_state` combines them: offline, late and no data
outrank the level, because a stale value says nothing about now.  Pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Literal
from zoneinfo import ZoneInfo

from ioc.contract.catalogue import CATALOGUE
from ioc.rules.machine import crossed_step
from ioc.rules.schema import Feeds, RuleSet
from vocab.severity import severity_rank
from vocab.states import DeviceStateName

__all__ = [
    "FeedStatus",
    "cadence",
    "classify",
    "device_level",
    "device_state",
    "feed_status",
    "limits",
]

FeedStatus = Literal["ok", "late", "offline", "no_data"]
Level = Literal["ok", "warning", "alarm"]
_TZ_LOCAL = ZoneInfo("Asia/Ho_Chi_Minh")


def cadence(feeds: Feeds, device: str, domain: str, metrics: Iterable[str] = ()) -> float:
    """Seconds expected between the device's messages."""
    own = feeds.devices.get(device)
    if own:
        return float(own)
    d = CATALOGUE.get(domain)
    if d is None:
        return 300.0
    known = [d.cadence(m) for m in metrics if m in d.metrics]
    return max(known) if known else d.cadence_s


def limits(feeds: Feeds, cadence_s: float) -> tuple[float, float]:
    """(late after, offline after) in seconds of silence."""
    late = feeds.late_after * cadence_s
    return late, max(feeds.offline_after * cadence_s, feeds.min_offline, late)


def feed_status(
    feeds: Feeds,
    now: float,
    last_seen: float | None,
    cadence_s: float,
    reported_online: bool | None = None,
) -> FeedStatus:
    """ok | late | offline | no_data, from the last message's time and the last status."""
    if reported_online is False:
        return "offline"
    if not last_seen:
        return "no_data"
    late, offline = limits(feeds, cadence_s)
    silent = now - last_seen
    if silent >= offline:
        return "offline"
    return "late" if silent >= late else "ok"


def device_level(
    rules: RuleSet,
    domain: str,
    ward: str,
    device: str,
    latest: Mapping[str, float],
    at: datetime | None = None,
) -> Level:
    """The worst step the device's newest values cross in the rules that watch them."""
    local = (at or datetime.now(UTC)).astimezone(_TZ_LOCAL).time()
    worst = -1
    for rule in rules.rules:
        if (
            not rule.enabled
            or rule.condition not in ("above", "below")
            or rule.scope.domain != domain
            or rule.scope.metric not in latest
            or not rule.matches(ward, device)
        ):
            continue
        levels = rule.levels(ward, device, local if rule.periods else None)
        step = crossed_step(levels, latest[rule.scope.metric], 0, 0.0, rule.condition == "below")
        if step:
            worst = max(worst, severity_rank(rule.steps[step - 1].severity))
    if worst < 0:
        return "ok"
    return "alarm" if worst >= severity_rank("high") else "warning"


def device_state(feed: FeedStatus, level: Level) -> DeviceStateName:
    """offline, late and no data outrank what the (stale) values say."""
    return level if feed == "ok" else feed


def classify(
    rules: RuleSet,
    device: str,
    ward: str,
    domain: str,
    last_seen: float | None,
    reported_online: bool | None,
    latest: Mapping[str, tuple[float, float]],
    now: float,
) -> DeviceStateName:
    """The state of one device: its feed against its cadence, then its newest values against
    the rules.  ``latest``: metric -> (value, epoch s) of its newest readings."""
    cad = cadence(rules.feeds, device, domain, latest.keys())
    feed = feed_status(rules.feeds, now, last_seen or None, cad, reported_online)
    if feed != "ok":
        return feed
    values = {m: v for m, (v, _ts) in latest.items()}
    at = datetime.fromtimestamp(now, UTC)
    return device_state(feed, device_level(rules, domain, ward, device, values, at))
