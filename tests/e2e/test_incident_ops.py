"""Incident operations in a real browser: the detail view's lifecycle with its timeline, the
wall's banner of unacknowledged urgent incidents, and what ward staff see."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import psycopg
from dash import Dash
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.keys import Keys

from ioc.config import Settings
from ioc.live import LiveState
from tests.e2e.fix_app import screenshot, start_and_login
from tests.incident_helpers import alarm, open_incident, security_alert, state

Conn = psycopg.Connection[Any]


def _timeline(dash_duo: Any) -> str:
    return str(dash_duo.find_element("#incident-timeline-list").text)


def _wait_text(dash_duo: Any, selector: str, text: str, timeout: float = 10) -> None:
    dash_duo.wait_for_contains_text(selector, text, timeout=timeout)


def _click(dash_duo: Any, action: str) -> None:
    dash_duo.wait_for_element(f"#incident-act-{action}", timeout=10).click()


def _changed(settings: Settings) -> None:
    """What ingest does after writing: move the live version (the pages re-read)."""
    live = LiveState.from_url(settings.redis_url, settings.redis_prefix)
    live.incidents_changed()
    live.close()


def test_acknowledge_dispatch_resolve_close_in_the_timeline(
    dash_duo: Any, app_factory: Callable[..., Dash], db: Conn
) -> None:
    iid = open_incident(db, alarm("27694", 45.0, severity="critical"))
    start_and_login(dash_duo, app_factory(), "admin", f"/incidents/{iid}")
    _wait_text(dash_duo, "#incident-title", "Ngập đường vượt ngưỡng báo động: 45,0 cm")
    assert "Mở sự cố" in _timeline(dash_duo)

    _click(dash_duo, "ack")
    _wait_text(dash_duo, "#incident-timeline-list", "Đã tiếp nhận")
    _wait_text(dash_duo, "#incident-status", "Đã tiếp nhận")

    dash_duo.find_element("#incident-team").send_keys("Đội cứu hộ 2")
    dash_duo.find_element("#incident-assignee").send_keys("Anh Tâm")
    _click(dash_duo, "dispatch")
    _wait_text(dash_duo, "#incident-timeline-list", "Đội cứu hộ 2 · Anh Tâm")
    _wait_text(dash_duo, "#incident-status", "Đã điều phối")

    _click(dash_duo, "resolve")  # without a note: refused, nothing changes
    _wait_text(dash_duo, "#incident-msg", "Cần ghi kết quả xử lý")
    assert state(db, iid)[0] == "dispatched"
    dash_duo.find_element("#incident-note").send_keys("Đã bơm rút nước, đường thông")
    _click(dash_duo, "resolve")
    _wait_text(dash_duo, "#incident-timeline-list", "Đã bơm rút nước, đường thông")
    _wait_text(dash_duo, "#incident-status", "Đã xử lý")

    _click(dash_duo, "close")
    _wait_text(dash_duo, "#incident-status", "Đã đóng")
    dash_duo.wait_for_element("#incident-act-reopen", timeout=5)
    text = _timeline(dash_duo)  # oldest first, each step once
    order = [
        text.index(w) for w in ("Mở sự cố", "Đã tiếp nhận", "Đã điều phối", "Đã xử lý", "Đã đóng")
    ]
    assert order == sorted(order)
    assert state(db, iid) == ("closed", 5, 5)
    time.sleep(1)
    screenshot(dash_duo, "incident-detail")

    dash_duo.find_element("#ioc-lang-switch").click()
    _wait_text(dash_duo, "#incident-timeline-list", "Acknowledged")
    _wait_text(dash_duo, "#incident-title", "Street flooding above the alarm level: 45.0 cm")
    time.sleep(1)
    screenshot(dash_duo, "incident-detail-en")
    assert dash_duo.get_logs() == []


def test_a_critical_incident_is_pinned_on_the_wall_until_acknowledged(
    dash_duo: Any, app_factory: Callable[..., Dash], db: Conn, settings: Settings
) -> None:
    start_and_login(dash_duo, app_factory(), "admin", "/")
    dash_duo.wait_for_element("#wall-kpi-incidents", timeout=15)
    iid = open_incident(db, alarm("27697", 95.0, severity="critical"))
    _changed(settings)
    pin = f"#wall-pin-{iid}"
    dash_duo.wait_for_element(pin, timeout=10)
    assert "Ngập đường" in dash_duo.find_element(pin).text
    dash_duo.wait_for_element("#wall-banner.pinned", timeout=5)
    time.sleep(1)
    screenshot(dash_duo, "wall-banner")

    # Keyboard: Tab reaches the acknowledge button, Enter presses it.
    button = dash_duo.find_element(f"{pin} .btn-ack")
    button.send_keys(Keys.ENTER)
    dash_duo.wait_for_no_elements(pin, timeout=10)
    _wait_text(dash_duo, "#inc-flash", f"#{iid}")
    assert state(db, iid)[:2] == ("acknowledged", 2)
    actor = db.execute(
        "SELECT actor FROM incident_log WHERE incident_id = %s AND action = 'ack'", (iid,)
    ).fetchone()
    assert actor == ("admin",)

    # Alt+A acknowledges the first pinned incident (the seed's open "high" one).
    dash_duo.wait_for_element("#wall-banner .btn-ack", timeout=5)
    ActionChains(dash_duo.driver).key_down(Keys.ALT).send_keys("a").key_up(Keys.ALT).perform()
    dash_duo.wait_for_no_elements("#wall-banner .banner-item", timeout=10)
    assert "pinned" not in dash_duo.find_element("#wall-banner").get_attribute("class")

    # The alarm sound: off by default, kept per browser across a reload.
    toggle = dash_duo.find_element("#wall-sound-toggle")
    assert "sound-off" in toggle.get_attribute("class")
    toggle.click()
    dash_duo.wait_for_element("#wall-sound-toggle.sound-on", timeout=5)
    dash_duo.driver.refresh()
    dash_duo.wait_for_element("#wall-sound-toggle.sound-on", timeout=15)
    assert dash_duo.get_logs() == []


def test_the_wall_banner_in_english_and_for_a_viewer(
    dash_duo: Any, app_factory: Callable[..., Dash], db: Conn, settings: Settings
) -> None:
    iid = open_incident(db, alarm("27697", 95.0, severity="critical"))
    city = open_incident(db, security_alert("high"))
    start_and_login(dash_duo, app_factory(), "kiosk", "/")
    dash_duo.wait_for_element(f"#wall-pin-{iid}", timeout=15)
    _wait_text(dash_duo, f"#wall-pin-{city}", "Toàn thành phố")
    dash_duo.find_element("#ioc-lang-switch").click()
    _wait_text(dash_duo, f"#wall-pin-{city}", "City-wide")
    _wait_text(dash_duo, f"#wall-pin-{iid}", "Street flooding above the alarm level: 95.0 cm")
    assert not dash_duo.driver.find_elements("css selector", "#wall-banner .btn-ack")  # a viewer
    time.sleep(1)
    screenshot(dash_duo, "wall-banner-en")
    assert dash_duo.get_logs() == []


def test_ward_staff_see_their_incidents_and_may_only_comment_or_resolve(
    dash_duo: Any, app_factory: Callable[..., Dash], db: Conn
) -> None:
    mine = open_incident(db, alarm("27694", 40.0))
    open_incident(db, security_alert())  # city-level: on no ward's page
    start_and_login(dash_duo, app_factory(), "phuong1", "/ward/27694")
    dash_duo.wait_for_element("#ward-incident-list", timeout=15)
    listed = dash_duo.find_element("#ward-incident-list").text
    assert "Ngập đường" in listed and "ATTT" not in listed
    assert not dash_duo.driver.find_elements("css selector", "#ward-incident-list .btn-ack")
    time.sleep(1)
    screenshot(dash_duo, "ward-incidents")
    dash_duo.find_element("#ioc-lang-switch").click()
    dash_duo.wait_for_contains_text("#ward-incident-list", "Street flooding", timeout=10)
    time.sleep(1)
    screenshot(dash_duo, "ward-incidents-en")
    dash_duo.find_element(f"#ward-incident-list a[href='/incidents/{mine}']").click()
    dash_duo.wait_for_element("#incident-act-comment", timeout=10)

    def visible() -> list[str]:
        return [b.get_attribute("id") for b in dash_duo.driver.find_elements(
            "css selector", ".action-form button") if b.is_displayed()]  # fmt: skip

    # The form is drawn before its buttons show on a loaded machine: wait for them.
    deadline = time.monotonic() + 10
    while not visible() and time.monotonic() < deadline:
        time.sleep(0.2)
    assert visible() == ["incident-act-comment", "incident-act-resolve"]
    dash_duo.find_element("#incident-note").send_keys("Đã báo tổ dân phố")
    _click(dash_duo, "comment")
    _wait_text(dash_duo, "#incident-timeline-list", "Đã báo tổ dân phố")
    assert state(db, mine)[0] == "open"
    assert dash_duo.get_logs() == []
