"""Browser tests: chromium on a 1920x1080 window, fixtures from fix_app."""

from __future__ import annotations

from typing import Any

from tests.e2e.fix_app import app_factory, users_file  # noqa: F401 (fixtures)


def pytest_setup_options() -> Any:
    from selenium.webdriver.chrome.options import Options

    options = Options()
    options.add_argument("--window-size=1920,1080")
    options.add_argument("--use-gl=angle")
    options.add_argument("--use-angle=swiftshader")
    options.add_argument("--enable-unsafe-swiftshader")  # WebGL for the MapLibre map in headless
    options.binary_location = "/usr/bin/chromium"
    return options
