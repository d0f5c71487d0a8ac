"""Browser tests: chromium on a 1920x1080 window, fixtures from fix_app."""

from __future__ import annotations

from typing import Any

from tests.e2e.fix_app import app_factory, users_file  # noqa: F401 (fixtures)


def pytest_setup_options() -> Any:
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.add_argument("--window-size=1920,1080")
    options.binary_location = "/usr/bin/chromium"
    return options
