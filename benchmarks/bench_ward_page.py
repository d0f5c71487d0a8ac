"""Ward page and wall display timings over 30 days of simulated data for 500 devices.

Generates into a scratch schema (dropped afterwards), straight with SQL:

* ``devices``: 500 devices spread over the 14 wards, domains air / water / traffic / noise;
* ``readings_1h``: 30 days x 24 h for every ward and the 16 metrics those domains carry;
* ``readings_1m``: the last 2 days per minute for the same (the page's hour / day windows);
* ``readings``: raw 5-minute PM2.5 of ward 27694's air devices for 30 days, the baseline;
* ``events``: 30 days of dossiers and citizen reports (~40 per ward per day); 300 incidents.

Then times, through Flask's test client with a logged-in admin, the ward page data
callbacks (panels + the 30-day series) p50 / p95 over 40 calls with a warm and a
cold (TTL 0) Redis cache, the same series from raw ``readings`` as the baseline,
and the wall display cold load in headless chromium (login done, then a fresh
navigation to ``/`` until the KPI tiles and the map are drawn).

    .venv/bin/python benchmarks/bench_ward_page.py
"""

from __future__ import annotations

import tempfile
import time
import uuid
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

import psycopg
from psycopg import sql

from geodata.registry import wards
from ioc.app import close_app, create_app
from ioc.auth import add_user
from ioc.config import load_settings
from ioc.store.db import connect
from ioc.store.migrate import upgrade
from ioc.store.queries import metric_series, raw_metric_series
from ioc.store.wards import seed_wards
from tests.e2e.fix_app import CsrfClient
from tests.services import DATABASE_URL, REDIS_URL

WARD = "27694"
PASSWORD = "bench-password-1"
METRICS = ["pm25", "pm10", "no2", "so2", "co", "o3", "temperature_c", "humidity_pct", "level_m",
           "salinity_ppt", "rain_mm", "flood_depth_cm", "vehicles_per_min", "speed_kmh",
           "occupancy_pct", "laeq_db"]  # fmt: skip


def generate(conn: psycopg.Connection[Any], now: datetime) -> None:
    conn.execute(
        """
        INSERT INTO devices (device_id, ward_code, domain, lat, lon, first_seen, last_seen, online)
        SELECT 'dev-' || g, w.code, (ARRAY['air','water','traffic','noise'])[1 + g %% 4],
               w.lat + (random() - 0.5) / 100, w.lon + (random() - 0.5) / 100,
               %(now)s - interval '30 days', %(now)s, true
        FROM generate_series(0, 499) g
        JOIN (SELECT code, lat, lon, row_number() OVER (ORDER BY code) - 1 AS i FROM wards) w
          ON w.i = g %% 14
        """,
        {"now": now},
    )
    for table, step, span in (
        ("readings_1h", "1 hour", "30 days"),
        ("readings_1m", "1 minute", "2 days"),
    ):
        conn.execute(
            sql.SQL(
                """
                INSERT INTO {} (ward_code, metric, bucket, avg, min, max, count, sum)
                SELECT w.code, m, b, v, v * 0.8, v * 1.2, 36, v * 36
                FROM wards w, unnest(%(metrics)s::text[]) m,
                     generate_series(date_trunc('minute', %(now)s) - %(span)s::interval,
                                     %(now)s, %(step)s::interval) b,
                     LATERAL (SELECT 20 + 10 * sin(extract(epoch FROM b) / 7200) + random() AS v) x
                """
            ).format(sql.Identifier(table)),
            {"metrics": METRICS, "now": now, "span": span, "step": step},
        )
    for d in range(6):
        conn.execute(
            "SELECT ensure_partition('readings', %s - make_interval(days => %s))", (now, 7 * d)
        )
        conn.execute(
            "SELECT ensure_partition('events', %s - make_interval(days => %s))", (now, 7 * d)
        )
    conn.execute(
        """
        INSERT INTO readings (time, ward_code, device_id, metric, value)
        SELECT t, %(ward)s, d.device_id, 'pm25', 20 + random() * 30
        FROM devices d,
             generate_series(date_trunc('minute', %(now)s) - interval '30 days', %(now)s,
                             interval '5 minutes') t
        WHERE d.ward_code = %(ward)s AND d.domain = 'air'
        """,
        {"now": now, "ward": WARD},
    )
    conn.execute(
        """
        INSERT INTO events (time, ward_code, domain, source, event_id, type, attrs)
        SELECT %(now)s - make_interval(mins => g * 36), w.code,
               CASE WHEN g %% 5 = 0 THEN 'reports' ELSE 'services' END, 'bench', w.code || '-' || g,
               CASE WHEN g %% 5 = 0 THEN 'report.created'
                    ELSE (ARRAY['dossier.received','dossier.resolved','dossier.overdue'])[1 + g %% 3] END,
               jsonb_build_object('channel', 'online', 'level', 4, 'on_time', true, 'category', 'rác')
        FROM wards w, generate_series(0, 1199) g
        """,
        {"now": now},
    )
    conn.execute(
        """
        INSERT INTO incidents (ward_code, domain, kind, severity, status, title, opened_at)
        SELECT w.code, 'alerts', 'k', (ARRAY['low','medium','high','critical'])[1 + g %% 4],
               (ARRAY['open','resolved','closed'])[1 + g %% 3], 'Sự cố ' || g,
               %(now)s - make_interval(hours => g)
        FROM (SELECT code, row_number() OVER () AS i FROM wards) w, generate_series(0, 20) g
        """,
        {"now": now},
    )
    conn.execute("ANALYZE")


def pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, round(q * (len(s) - 1)))]


def time_calls(fn: Any, n: int = 40) -> list[float]:
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def ward_callbacks(client: Any) -> None:
    r1 = client.post("/_dash-update-component", json={
        "output": "..ward-devices.children...ward-incidents.children...ward-reports.children..."
                  "ward-services.children...ward-covid.children..",
        "outputs": [{"id": f"ward-{p}", "property": "children"}
                    for p in ("devices", "incidents", "reports", "services", "covid")],
        "inputs": [{"id": "ioc-version", "property": "data", "value": 1}],
        "state": [{"id": "ward-code", "property": "data", "value": WARD}], "changedPropIds": []})  # fmt: skip
    r2 = client.post("/_dash-update-component", json={
        "output": "ward-series.children", "outputs": {"id": "ward-series", "property": "children"},
        "inputs": [{"id": "ward-metric", "property": "value", "value": "air.pm25"},
                   {"id": "ward-window", "property": "value", "value": "month"},
                   {"id": "ioc-version", "property": "data", "value": 1}],
        "state": [{"id": "ward-code", "property": "data", "value": WARD}], "changedPropIds": []})  # fmt: skip
    assert r1.status_code == 200 and r2.status_code == 200, (r1.status_code, r2.status_code)


def wall_cold_load(app: Any) -> float:
    from dash.testing.application_runners import ThreadedRunner
    from selenium import webdriver

    options = webdriver.ChromeOptions()
    for arg in (
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1920,1080",
        "--use-gl=angle",
        "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader",
    ):
        options.add_argument(arg)
    options.binary_location = "/usr/bin/chromium"
    with ThreadedRunner() as runner:
        runner.start(app)
        driver = webdriver.Chrome(options=options)
        try:
            driver.get(f"{runner.url}/login")
            driver.find_element("id", "login-user").send_keys("admin")
            driver.find_element("id", "login-password").send_keys(PASSWORD)
            driver.find_element("id", "login-submit").click()
            time.sleep(2)
            driver.get("about:blank")
            t0 = time.perf_counter()
            driver.get(f"{runner.url}/?kiosk=1")
            deadline = t0 + 30
            while time.perf_counter() < deadline:
                ok = driver.execute_script(
                    "return !!document.querySelector('#wall-kpi-aqi') &&"
                    " !!document.querySelector('#wall-map .main-svg') &&"
                    " !!document.querySelector('#ioc-fresh-badge')"
                )
                if ok:
                    return (time.perf_counter() - t0) * 1000
                time.sleep(0.02)
            raise TimeoutError("wall did not load")
        finally:
            driver.quit()


def main() -> None:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    now = datetime.now(UTC)
    with connect(DATABASE_URL) as conn:
        upgrade(conn, schema, requested="plain")  # generate() fills plain tables directly
    try:
        with connect(DATABASE_URL, schema, autocommit=True) as conn:
            seed_wards(conn, wards())
            t0 = time.perf_counter()
            generate(conn, now)
            print(f"generated in {time.perf_counter() - t0:.1f} s:", {
                t: conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(t))).fetchone()[0]  # type: ignore[index]
                for t in ("devices", "readings_1h", "readings_1m", "readings", "events", "incidents")})  # fmt: skip
            rollup = time_calls(lambda: metric_series(conn, WARD, "pm25", "month", now), 30)
            raw = time_calls(lambda: raw_metric_series(conn, WARD, "pm25", "month", now), 30)
        users = Path(tempfile.mkdtemp()) / "users.toml"
        add_user(users, "admin", PASSWORD, "admin", [])
        results = {}
        for label, ttl in (("warm cache", 5.0), ("cold cache (TTL 0)", 0.0)):
            settings = load_settings(database_url=DATABASE_URL, db_schema=schema, redis_url=REDIS_URL,
                                     redis_prefix=schema, app={"users_file": users, "cache_ttl_s": ttl})  # fmt: skip
            app = create_app(settings)
            app.server.test_client_class = CsrfClient  # sends the CSRF token as the browser does
            client = app.server.test_client()
            client.post("/login", data={"username": "admin", "password": PASSWORD})
            ward_callbacks(client)
            results[label] = time_calls(partial(ward_callbacks, client), 40)
            if ttl:
                wall = wall_cold_load(app)
            close_app(app)
        print("\nward page data callbacks (panels + 30-day series), 40 calls:")
        for label, s in results.items():
            print(f"  {label:20s} p50 {pct(s, 0.5):7.1f} ms   p95 {pct(s, 0.95):7.1f} ms")
        print("\n30-day PM2.5 series of one ward, 30 calls:")
        print(
            f"  rollup readings_1h   p50 {pct(rollup, 0.5):7.1f} ms   p95 {pct(rollup, 0.95):7.1f} ms"
        )
        print(f"  raw readings (base)  p50 {pct(raw, 0.5):7.1f} ms   p95 {pct(raw, 0.95):7.1f} ms")
        print(f"  ratio raw / rollup   p50 {pct(raw, 0.5) / pct(rollup, 0.5):7.1f} x")
        cold, warm = results["cold cache (TTL 0)"], results["warm cache"]
        print(
            f"  ratio cold / warm cache (ward callbacks) p50 {pct(cold, 0.5) / pct(warm, 0.5):.1f} x"
        )
        print(f"\nwall display cold load (headless chromium, to tiles + map drawn): {wall:.0f} ms")
    finally:
        with psycopg.connect(DATABASE_URL, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP SCHEMA {} CASCADE").format(sql.Identifier(schema)))


if __name__ == "__main__":
    main()
