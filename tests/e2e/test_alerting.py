"""The admins' alerting page: rules in force (and a refused file), channel health, delivery log."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from dash import Dash

from ioc.config import NotifySettings, Settings
from ioc.rules.loader import RuleSource, default_text
from ioc.store.db import Database
from ioc.store.incidents import open_incidents
from notify.config import load_notify
from notify.worker import Notifier
from tests.e2e.fix_app import screenshot, start_and_login
from tests.incident_helpers import alarm
from tests.notify_helpers import remote_server


def _failed_delivery(settings: Settings, db: psycopg.Connection[Any]) -> None:
    """One incident the webhook refused: a failing channel and two log rows."""
    open_incidents(db, [alarm("27694", 120.0, severity="critical")])
    database = Database.open(settings.database_url, settings.db_schema, max_size=1, name="t")
    try:
        with remote_server() as remote:
            remote.default = (500, {"error": "máy chủ lỗi"}, {})
            config = load_notify(NotifySettings(webhook_url=remote.url))
            n = Notifier(database, config, NotifySettings(retry_base_s=0.01, retry_max_s=0.01,
                                                          failing_after=2), RuleSource(None))  # fmt: skip
            for _ in range(3):
                n.run_once()
                time.sleep(0.05)
    finally:
        database.close()


def test_admin_sees_rules_channels_and_deliveries(
    dash_duo: Any, app_factory: Callable[..., Dash], settings: Settings,
    db: psycopg.Connection[Any], tmp_path: Path,
) -> None:  # fmt: skip
    rules = tmp_path / "rules.yaml"
    rules.write_text(default_text(), encoding="utf-8")
    _failed_delivery(settings, db)
    app = app_factory({"rules": {"path": rules, "reload_s": 0.1}})
    # The file goes bad after the app loaded it: refused, the old rules stay.
    rules.write_text(default_text().replace("hold: 10m", "hold: sớm"), encoding="utf-8")
    start_and_login(dash_duo, app, "admin", "/alerting")
    dash_duo.wait_for_element("#alerting-rule-table", timeout=15)
    dash_duo.wait_for_element("#alerting-refused", timeout=10)
    assert "rules.1.hold" in dash_duo.find_element("#alerting-refused").text
    table = dash_duo.find_element("#alerting-rule-table").text
    assert "water.river_level" in table and "1459/QĐ-TCMT" in table and "Báo động III" in table
    dash_duo.wait_for_text_to_equal("#alerting-channel-table tbody td:nth-child(3)", "Đang lỗi")
    assert "HTTP 500" in dash_duo.find_element("#alerting-log-table").text
    time.sleep(0.5)
    screenshot(dash_duo, "alerting")
    assert dash_duo.get_logs() == []
    dash_duo.find_element("#ioc-lang-switch").click()
    dash_duo.wait_for_text_to_equal(
        ".alerting-page h1", "Alarm rules and notifications", timeout=10
    )
    dash_duo.wait_for_text_to_equal("#alerting-channel-table tbody td:nth-child(3)", "Failing")
    time.sleep(0.5)
    screenshot(dash_duo, "alerting-en")
    assert dash_duo.get_logs() == []


def test_alerting_is_for_admins_only(dash_duo: Any, app_factory: Callable[..., Dash]) -> None:
    start_and_login(dash_duo, app_factory(), "kiosk", "/alerting")
    dash_duo.wait_for_text_to_equal("#ioc-forbidden", "Không có quyền / Forbidden", timeout=10)
    assert not dash_duo.driver.find_elements("css selector", "#alerting-rule-table")
    links = [e.text for e in dash_duo.driver.find_elements("css selector", "#ioc-nav .nav-link")]
    assert "Quy tắc cảnh báo" not in links and "Cảnh báo" not in links
