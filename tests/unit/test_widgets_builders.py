"""Pure builders: freshness, KPI tiles, tables, charts, COVID levels."""

from __future__ import annotations

from datetime import UTC, date, datetime

import plotly.graph_objects as go

from ioc.config import CovidSettings
from ioc.pages._covid import covid_levels, covid_table
from ioc.store.records import CovidDay
from widgets.charts import bar_chart, time_series
from widgets.kpi import error_box, kpi_tile, kpi_tile_rows
from widgets.status import freshness_state
from widgets.tables import simple_table, ticker


def test_freshness() -> None:
    assert freshness_state(None, 100, 10) == "never"
    assert freshness_state(95, 100, 10) == "fresh"
    assert freshness_state(80, 100, 10) == "stale"


def test_tiles_and_tables() -> None:
    tile = kpi_tile("x", "Nhãn", "1.234", detail="d", state="alarm")
    assert tile.className == "kpi kpi-alarm" and tile.id == "x"
    assert "panel-error" in error_box("a", "b").className
    assert simple_table(["a"], [], empty="trống").children == "trống"
    table = simple_table(["a", "b"], [["1", "2"]], table_id="t")
    assert table.id == "t"
    assert ticker([], "không có").children.children == "không có"
    sev = kpi_tile_rows("Sự cố", [("Nghiêm trọng", "1", "sev-critical")], "t")
    count = sev.children[1].children[0]
    assert count.className == "kpi-sev sev-critical"
    assert [c.className for c in count.children] == ["kpi-sev-value", "kpi-sev-label"]


def test_charts() -> None:
    now = datetime(2026, 11, 26, tzinfo=UTC)
    fig = time_series([now], [1.0], [0.5], [2.0], name="PM2.5", unit="µg/m³", warning=50, alarm=150)
    assert len(fig["data"]) == 3 and len(fig["layout"]["shapes"]) == 2
    assert fig["data"][2]["x"] == ["2026-11-26 00:00:00"]
    bars = bar_chart(["a"], {"x": [1]}, target=2, height=200)
    assert bars["layout"]["barmode"] == "stack" and bars["layout"]["height"] == 200
    assert bars["layout"]["shapes"][0]["y0"] == 2
    go.Figure(fig)  # what the builders return is a valid Plotly figure
    go.Figure(bars)


def test_covid_levels() -> None:
    rows = [CovidDay("A", f"2026-11-{d:02d}", 10, 900) for d in range(20, 27)]
    out = covid_table(rows, {"A": 1000, "B": 1000}, date(2026, 11, 26), CovidSettings())
    a, b = out
    assert a.new_7d == 70 and a.cases_per_100k_week == 7000 and a.vaccination_pct == 90
    assert a.level == 4 and b.new_7d == 0 and b.vaccination_pct is None


def test_covid_unknown_vaccination_does_not_raise_the_level() -> None:
    cfg = CovidSettings()
    rows = [CovidDay("A", "2026-11-26", 0, None), CovidDay("C", "2026-11-26", 0, 100)]
    day = date(2026, 11, 26)
    a, b, c = covid_table(rows, {"A": 1000, "B": 1000, "C": 1000}, day, cfg)
    assert a.vaccination_pct is None and a.cases_per_100k_week == 0 and a.level == 1
    assert b.vaccination_pct is None and b.level == 1  # no rows at all: no cases, level 1
    assert c.vaccination_pct == 10 and c.level == 2  # known low coverage does raise it
    assert covid_levels(rows, "A", 1000, [day], cfg) == [1]


def test_covid_levels_match_the_table_day_by_day() -> None:
    rows = [
        CovidDay("A", f"2026-11-{d:02d}", d % 4 * 3, 500 + 30 * d if d % 3 else None)
        for d in range(1, 27)
    ]
    days = [date(2026, 11, d) for d in range(1, 27)]
    cfg = CovidSettings()
    expected = [covid_table(rows, {"A": 1000}, day, cfg)[0].level for day in days]
    assert covid_levels(rows, "A", 1000, days, cfg) == expected
    assert covid_levels(rows, "B", None, days[:2], cfg) == [None, None]
