"""Feeds and device states: cadences from the catalogue, late and offline, levels from the rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from ioc.rules.feeds import cadence, device_level, device_state, feed_status, limits
from ioc.rules.loader import load_rules
from ioc.rules.schema import Feeds
from vocab.fmt import TZ

RULES = load_rules()
FEEDS = RULES.feeds


def test_cadence_from_the_catalogue_and_a_device_of_its_own() -> None:
    assert cadence(FEEDS, "covid-27694", "health") == 86_400
    assert cadence(FEEDS, "fd-1", "water", ["flood_depth_cm"]) == 120
    assert cadence(FEEDS, "sal-1", "water", ["salinity_ppt", "level_m"]) == 900
    assert cadence(FEEDS, "wl-1", "water") == 900  # metrics unknown: the domain's slowest
    own = Feeds(devices={"wl-1": "10m"})
    assert cadence(own, "wl-1", "water", ["level_m"]) == 600


def test_a_daily_feed_is_not_offline_at_noon() -> None:
    # The COVID report of the day came at 00:05; at 12:00 it is twelve hours old.
    midnight = datetime(2026, 11, 26, 0, 5, tzinfo=TZ).timestamp()
    noon = datetime(2026, 11, 26, 12, 0, tzinfo=TZ).timestamp()
    daily = cadence(FEEDS, "covid-27694", "health")
    assert feed_status(FEEDS, noon, midnight, daily) == "ok"
    assert feed_status(FEEDS, midnight + 3 * 86_400 + 1, midnight, daily) == "late"
    assert feed_status(FEEDS, midnight + 10 * 86_400 + 1, midnight, daily) == "offline"
    # ... while a five-minute sensor silent for the same twelve hours is offline.
    assert feed_status(FEEDS, noon, midnight, 300) == "offline"


def test_late_offline_limits_and_status_messages() -> None:
    assert limits(FEEDS, 60) == (180, 900)  # offline never sooner than min_offline
    assert limits(FEEDS, 300) == (900, 3000)
    now = 10_000.0
    assert feed_status(FEEDS, now, now - 100, 60) == "ok"
    assert feed_status(FEEDS, now, now - 200, 60) == "late"
    assert feed_status(FEEDS, now, now - 10, 60, reported_online=False) == "offline"
    assert feed_status(FEEDS, now, None, 60, reported_online=True) == "no_data"


def test_device_levels_come_from_the_rules() -> None:
    at = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 10:00 local: daytime noise limits
    assert device_level(RULES, "water", "27694", "fd-1", {"flood_depth_cm": 5}) == "ok"
    assert device_level(RULES, "water", "27694", "fd-1", {"flood_depth_cm": 12}) == "warning"
    assert device_level(RULES, "water", "27694", "fd-1", {"flood_depth_cm": 100}) == "alarm"
    assert device_level(RULES, "noise", "27694", "ns-1", {"laeq_db": 60}, at) == "ok"
    night = at + timedelta(hours=13)  # 23:00 local: 55 dBA
    assert device_level(RULES, "noise", "27694", "ns-1", {"laeq_db": 60}, night) == "warning"
    assert device_level(RULES, "traffic", "27694", "tf-1", {"speed_kmh": 5}) == "warning"


def test_stale_feeds_outrank_their_values() -> None:
    assert device_state("ok", "alarm") == "alarm"
    assert device_state("late", "alarm") == "late"
    assert device_state("offline", "ok") == "offline"
    assert device_state("no_data", "ok") == "no_data"
