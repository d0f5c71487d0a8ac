"""Every page loads in chromium with an empty console; screenshots on a 1920x1080 window."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from dash import Dash

from ioc.config import Settings
from ioc.live import DeviceValue, LiveState
from tests.e2e.fix_app import screenshot, start_and_login

PAGES = [
    ("/", "#wall-kpi-aqi", "wall"),
    ("/?kiosk=1", "#wall-kpi-river", "wall-kiosk"),
    ("/map", "#map-graph .main-svg", "map"),
    ("/ward/27694", "#ward-devices table", "ward"),
    ("/covid", "#covid-level-table", "covid"),
    ("/services", "#services-ward-table", "services"),
    ("/incidents", "#incidents-list", "incidents"),
]


def _feed(settings: Settings) -> None:
    live = LiveState.from_url(settings.redis_url, settings.redis_prefix)
    now = time.time()
    values = [
        DeviceValue("air-27694-01", "27694", "air", "pm25", 42.0, now, 10.535, 106.41),
        DeviceValue("air-27697-01", "27697", "air", "pm25", 18.0, now, 10.54, 106.42),
        DeviceValue("wl-27694-01", "27694", "water", "level_m", 1.7, now, 10.53, 106.40),
    ]
    live.apply(values, now=now)
    live.close()


@pytest.mark.parametrize(("path", "ready", "name"), PAGES, ids=[p[2] for p in PAGES])
def test_page_loads_clean(
    dash_duo: Any,
    app_factory: Callable[..., Dash],
    settings: Settings,
    path: str,
    ready: str,
    name: str,
) -> None:
    _feed(settings)
    start_and_login(dash_duo, app_factory(), "admin", path)
    dash_duo.wait_for_element(ready, timeout=15)
    time.sleep(1.5)  # let the first poll and the map tiles settle
    screenshot(dash_duo, name)
    assert dash_duo.get_logs() == []
    assert not dash_duo.driver.find_elements("css selector", ".panel-error")


def test_ward_staff_forbidden_other_ward(dash_duo: Any, app_factory: Callable[..., Dash]) -> None:
    start_and_login(dash_duo, app_factory(), "phuong1", "/ward/27697")
    dash_duo.wait_for_text_to_equal("#ioc-forbidden", "Không có quyền / Forbidden", timeout=10)
    screenshot(dash_duo, "ward-forbidden")


def test_language_switch(dash_duo: Any, app_factory: Callable[..., Dash]) -> None:
    start_and_login(dash_duo, app_factory(), "admin", "/incidents")
    dash_duo.wait_for_text_to_equal("#ioc-nav .nav-link", "Tổng quan", timeout=10)
    dash_duo.wait_for_text_to_equal(".incidents-page h1", "Danh sách sự cố")
    dash_duo.find_element("#ioc-lang-switch").click()
    dash_duo.wait_for_text_to_equal(".incidents-page h1", "Incident list", timeout=10)
    dash_duo.wait_for_text_to_equal("#ioc-nav .nav-link", "Overview")
    dash_duo.wait_for_contains_text("#incidents-response-table", "Ack: median", timeout=10)
    screenshot(dash_duo, "incidents-en")
    assert dash_duo.driver.current_url.endswith("/incidents")
    assert dash_duo.get_logs() == []


def test_freshness_badge_turns_red(
    dash_duo: Any, app_factory: Callable[..., Dash], settings: Settings
) -> None:
    # Fed while the page is up, until it shows fresh (2 s after a feed it is stale again, so a
    # single feed before a slow start-up or a loaded machine's poll would never be seen fresh).
    start_and_login(dash_duo, app_factory(freshness_s=2.0), "kiosk", "/?kiosk=1")
    dash_duo.wait_for_element("#ioc-fresh-badge", timeout=10)
    deadline = time.monotonic() + 10
    while not dash_duo.driver.find_elements("css selector", "#ioc-fresh-badge.badge-fresh"):
        assert time.monotonic() < deadline, "the badge never showed fresh data"
        _feed(settings)
        time.sleep(0.5)
    dash_duo.wait_for_element("#ioc-fresh-badge.badge-stale", timeout=6)
    screenshot(dash_duo, "wall-stale")
    _feed(settings)
    dash_duo.wait_for_element("#ioc-fresh-badge.badge-fresh", timeout=3)


def test_map_click_opens_ward(dash_duo: Any, app_factory: Callable[..., Dash]) -> None:
    from selenium.webdriver.common.action_chains import ActionChains

    start_and_login(dash_duo, app_factory(), "admin", "/map")
    graph = dash_duo.wait_for_element("#map-graph .js-plotly-plot", timeout=15)
    time.sleep(2)  # the map canvas draws after the figure arrives
    ActionChains(dash_duo.driver).move_to_element(graph).click().perform()
    dash_duo.wait_for_element("#ward-title", timeout=10)
    assert "/ward/" in dash_duo.driver.current_url
    assert dash_duo.get_logs() == []


def test_kiosk_hides_navigation_and_rotates(
    dash_duo: Any, app_factory: Callable[..., Dash], settings: Settings
) -> None:
    _feed(settings)
    start_and_login(dash_duo, app_factory(), "kiosk", "/?kiosk=1&rotate=5")
    dash_duo.wait_for_element("#wall-kpi-aqi", timeout=15)
    dash_duo.wait_for_element("#ioc-nav.hidden", timeout=5)

    def links_shown() -> bool:
        return any(a.is_displayed() for a in dash_duo.find_elements("#ioc-nav .nav-link"))

    assert not links_shown()
    dash_duo.wait_for_element("#map-graph", timeout=12)  # the next page in the rotation
    assert "/map" in dash_duo.driver.current_url and "kiosk=1" in dash_duo.driver.current_url
    assert not links_shown()
    assert dash_duo.get_logs() == []


def test_redis_down_pages_fall_back_to_the_database(
    dash_duo: Any, app_factory: Callable[..., Dash]
) -> None:
    """Redis unreachable: the operator is told, panels that need live state show their error,
    and everything PostgreSQL can answer still shows (the ward map and tiles from the rollups)."""
    app = app_factory({"redis_url": "redis://127.0.0.1:1/0"})
    start_and_login(dash_duo, app, "admin", "/")
    dash_duo.wait_for_contains_text(
        "#ioc-fresh-badge.badge-stale", "Mất kết nối dữ liệu trực tiếp", timeout=10
    )
    dash_duo.wait_for_element("#wall-map .main-svg", timeout=15)
    dash_duo.wait_for_text_to_equal("#wall-kpi-aqi .kpi-label", "Chỉ số AQI thành phố", timeout=10)
    # The device count needs live state: its tile alone says what failed.
    errors = dash_duo.driver.find_elements("css selector", ".panel-error")
    assert [e.text.split("\n")[-1] for e in errors] == ["devices: ServiceUnavailable"]
    screenshot(dash_duo, "wall-redis-down")
    dash_duo.driver.get(dash_duo.server_url + "/ward/27694")
    dash_duo.wait_for_element("#ward-devices table", timeout=15)
    dash_duo.wait_for_element("#ward-series .main-svg", timeout=10)
    assert not dash_duo.driver.find_elements("css selector", ".panel-error")
    screenshot(dash_duo, "ward-redis-down")
