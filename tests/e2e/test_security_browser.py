"""The browser enforces the app's protections: CSP against injected script, POST-only logout."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dash import Dash

from tests.e2e.fix_app import free_port, screenshot, start_and_login


def test_csp_blocks_an_injected_inline_script(
    dash_duo: Any, app_factory: Callable[..., Dash]
) -> None:
    start_and_login(dash_duo, app_factory(), "admin", "/")
    dash_duo.wait_for_element("#wall-kpi-aqi", timeout=15)
    assert dash_duo.get_logs() == []  # Dash's own inline scripts run (their hashes are listed)
    dash_duo.driver.execute_script(
        "const s = document.createElement('script');"
        "s.textContent = 'window.__injected = 1';"
        "document.body.appendChild(s);"
    )
    assert dash_duo.driver.execute_script("return window.__injected === undefined")
    logs = dash_duo.get_logs()
    assert logs and all("Content Security Policy" in entry["message"] for entry in logs)


def test_logout_is_a_form_post(dash_duo: Any, app_factory: Callable[..., Dash]) -> None:
    start_and_login(dash_duo, app_factory(), "admin", "/map")
    dash_duo.wait_for_element("#map-graph .main-svg", timeout=15)
    dash_duo.wait_for_text_to_equal(".nav-logout button", "Đăng xuất", timeout=10)
    screenshot(dash_duo, "nav-logout-vi")
    dash_duo.find_element("#ioc-lang-switch").click()
    dash_duo.wait_for_text_to_equal(".nav-logout button", "Log out", timeout=10)
    dash_duo.wait_for_element("#map-graph .main-svg", timeout=15)
    screenshot(dash_duo, "nav-logout-en")
    dash_duo.find_element(".nav-logout button").click()
    dash_duo.wait_for_element("#login-user", timeout=10)
    dash_duo.driver.get(dash_duo.server_url + "/map")
    dash_duo.wait_for_element("#login-user", timeout=10)  # the session is gone
    assert dash_duo.get_logs() == []


def test_locked_login_says_when_to_try_again(
    dash_duo: Any, app_factory: Callable[..., Dash]
) -> None:
    app = app_factory(login={"checks_per_s": 100})
    dash_duo.start_server(app, navigate=False, port=free_port())
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )
    for i in range(6):
        dash_duo.driver.get(f"{dash_duo.server.url}/login")
        dash_duo.find_element("#login-user").send_keys("admin")
        dash_duo.find_element("#login-password").send_keys(f"wrong-{i}")
        dash_duo.find_element("#login-submit").click()
        dash_duo.wait_for_element(".login-error", timeout=10)
    text = dash_duo.find_element(".login-error").text
    assert "Thử lại sau 15 phút" in text and "Try again in 15 min" in text
    screenshot(dash_duo, "login-locked")
