"""Browser-test fixtures: a users file, a seeded test schema and a running control-room app."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import quote

import psycopg
import pytest
from dash import Dash

from ioc.app import close_app, create_app
from ioc.auth import add_user
from ioc.config import Settings

PASSWORD = "mật-khẩu-thử-1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-output" / "screenshots"


@pytest.fixture
def users_file(tmp_path: Path) -> Path:
    path = tmp_path / "users.toml"
    add_user(path, "kiosk", PASSWORD, "viewer", [])
    add_user(path, "admin", PASSWORD, "admin", [])
    add_user(path, "phuong1", PASSWORD, "ward_staff", ["27694"])
    return path


def seed(db: psycopg.Connection[Any]) -> None:
    """A little of everything the pages read: rollups, events, incidents, devices."""
    now = datetime.now(UTC).replace(second=0, microsecond=0)
    db.execute(
        """
        INSERT INTO readings_1m (ward_code, metric, bucket, avg, min, max, count, sum)
        SELECT w.code, 'pm25', %(now)s - make_interval(mins => g), 30 + g %% 20, 20, 60, 4, 120
        FROM wards w, generate_series(0, 120) g
        """,
        {"now": now},
    )
    db.execute(
        """
        INSERT INTO readings_1h (ward_code, metric, bucket, avg, min, max, count, sum)
        SELECT w.code, m.metric, date_trunc('hour', %(now)s) - make_interval(hours => g),
               m.v, m.v, m.v + (60 - g / 24) * m.k, 1, m.v
        FROM wards w, generate_series(0, 24 * 40) g,
             (VALUES ('covid_new_cases', 1.0, 0.0), ('vaccinated_dose1', 10.0, 100.0),
                     ('pm25', 35.0, 0.0)) AS m(metric, v, k)
        """,
        {"now": now},
    )
    for d in range(3):
        db.execute("SELECT ensure_partition('events', %s)", (now - timedelta(days=7 * d),))
    db.execute(
        """
        INSERT INTO events (time, ward_code, domain, source, event_id, type, attrs)
        SELECT %(now)s - make_interval(hours => g), w.code, 'services', 'dvc', w.code || '-' || g,
               (ARRAY['dossier.received','dossier.resolved','dossier.overdue'])[1 + g %% 3],
               jsonb_build_object('channel', CASE WHEN g %% 2 = 0 THEN 'online' ELSE 'in_person' END,
                                  'level', 3 + g %% 2, 'on_time', g %% 5 <> 0, 'procedure', 'Hộ tịch')
        FROM wards w, generate_series(0, 100) g
        """,
        {"now": now},
    )
    db.execute(
        """
        INSERT INTO events (time, ward_code, domain, source, event_id, type, attrs)
        VALUES (%(now)s, '27694', 'reports', 'app', 'r1', 'report.created',
                '{"category": "rác thải", "text": "Rác tồn đọng", "lat": 10.535, "lon": 106.41}'),
               (%(now)s, '27694', 'egov', 'vb', 'd1', 'document.issued', '{}'),
               (%(now)s, '27694', 'egov', 'vb', 'd2', 'document.signed', '{}')
        """,
        {"now": now},
    )
    db.execute(
        """
        INSERT INTO incidents (ward_code, domain, kind, severity, status, title, lat, lon)
        VALUES ('27694', 'alerts', 'traffic.accident', 'high', 'open', 'Tai nạn Quốc lộ 1', 10.535, 106.41),
               ('27697', 'water', 'level', 'critical', 'acknowledged', 'Ngập đường Hùng Vương', NULL, NULL),
               ('27700', 'lighting', 'fault', 'low', 'resolved', 'Tủ điện hỏng', NULL, NULL)
        """
    )
    db.execute(
        "INSERT INTO devices (device_id, ward_code, domain, lat, lon, first_seen, last_seen, online)"
        " VALUES ('air-27694-01', '27694', 'air', 10.535, 106.41, %(now)s, %(now)s, true)",
        {"now": now},
    )


@pytest.fixture
def app_factory(
    make_settings: Callable[..., Settings], users_file: Path, db: psycopg.Connection[Any]
) -> Iterator[Callable[..., Dash]]:
    seed(db)
    apps: list[Dash] = []

    def make(settings_overrides: dict[str, Any] | None = None, **app_overrides: Any) -> Dash:
        cfg = {"users_file": users_file, "secret_key": "test-secret-key-123", **app_overrides}
        app = create_app(make_settings(app=cfg, **(settings_overrides or {})))
        apps.append(app)
        return app

    yield make
    for app in apps:
        close_app(app)


def start_and_login(dash_duo: Any, app: Dash, user: str = "admin", path: str = "/") -> None:
    """Start ``app``, sign in through the login form and land on ``path``."""
    # A free port, not Dash's fixed 8050: several checkouts may run browser tests at once.
    dash_duo.start_server(app, navigate=False, port=free_port())
    dash_duo.driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1920, "height": 1080, "deviceScaleFactor": 1, "mobile": False},
    )
    dash_duo._url = dash_duo.server.url  # set without navigating: "/" is the login page now
    dash_duo.driver.get(f"{dash_duo.server_url}/login?next={quote(path, safe='/')}")
    dash_duo.find_element("#login-user").send_keys(user)
    dash_duo.find_element("#login-password").send_keys(PASSWORD)
    dash_duo.find_element("#login-submit").click()
    dash_duo.wait_for_element("#react-entry-point", timeout=10)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def screenshot(dash_duo: Any, name: str) -> Path:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    dash_duo.driver.save_screenshot(str(path))
    return path
