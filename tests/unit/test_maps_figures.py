"""Figure builders: trace order, ward codes, colours, hover and the schematic notice."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
import plotly.graph_objects as go
import pytest

from geodata.features import FeatureCollection, ward_features
from geodata.registry import wards
from maps.base import GREY, map_style, view
from maps.covid import covid_map
from maps.devices import STATE_COLORS, device_layer
from maps.incidents import incident_layer, report_layer
from maps.wards_figure import nice_ticks, ward_choropleth
from vocab.fmt import fmt_number
from vocab.indicators import LEVEL_COLORS, epidemic_level
from vocab.text import t

CODES = sorted(w.code for w in wards())


@pytest.fixture(scope="module")
def schematic() -> FeatureCollection:
    return ward_features([])


@pytest.fixture(scope="module")
def drawn(schematic: FeatureCollection) -> FeatureCollection:
    """The same cells marked as imported (not schematic)."""
    fc: dict[str, Any] = json.loads(json.dumps(schematic))
    fc["schematic"] = False
    for f in fc["features"]:
        f["properties"]["schematic"] = False
    return fc


def _colour_at(trace: Any, z: float) -> str:
    """The colour a stepped scale gives to value ``z``."""
    pos = (z - trace.zmin) / (trace.zmax - trace.zmin)
    for (p0, c0), (p1, _c1) in zip(trace.colorscale[::2], trace.colorscale[1::2], strict=True):
        if p0 <= pos <= p1:
            return str(c0)
    raise AssertionError(pos)


def _notice(fig: go.Figure) -> list[str]:
    return [a.text for a in fig.layout.annotations if a.name == "schematic"]


def test_vn_number() -> None:
    assert fmt_number(1234.5, 1) == "1.234,5"
    assert fmt_number(1234567.891, 2) == "1.234.567,89"
    assert fmt_number(-0.25, 2) == "-0,25"
    assert fmt_number(12, 0) == "12"
    assert fmt_number(float("nan"), 1) == "–"  # the one missing mark, as everywhere else


def test_nice_ticks() -> None:
    assert nice_ticks(16.2, 66.1) == ([20.0, 30.0, 40.0, 50.0, 60.0], 0)


def test_choropleth_traces_codes_and_clickdata(drawn: FeatureCollection) -> None:
    values = {c: float(i) * 1000.5 for i, c in enumerate(CODES)}
    values[CODES[0]] = None  # type: ignore[assignment]
    fig = ward_choropleth(drawn, values, metric_label="Mật độ", unit="người/km²")
    assert [type(t).__name__ for t in fig.data] == ["Choroplethmap", "Scattermap"]
    assert [t.name for t in fig.data] == ["wards", "labels"]
    wards_trace = fig.data[0]
    assert list(wards_trace.locations) == CODES
    assert [row[0] for row in wards_trace.customdata] == CODES
    assert wards_trace.featureidkey == "properties.code"
    by_code = {row[0]: row for row in wards_trace.customdata}
    assert by_code[CODES[2]][2] == "2.001,0 người/km²"
    assert by_code[CODES[0]][2] == "không có dữ liệu"
    assert "Mật độ" in wards_trace.hovertemplate
    assert wards_trace.colorbar.title.text == "người/km²"
    # the missing ward sits in the grey band at the bottom of the scale
    z = dict(zip(wards_trace.locations, wards_trace.z, strict=True))
    assert z[CODES[0]] == wards_trace.zmin
    assert wards_trace.colorscale[0][1] == GREY and wards_trace.colorscale[1][1] == GREY
    assert not _notice(fig)
    sources = fig.layout.map.style["sources"]
    assert sources, "MapLibre needs a sources key that survives serialisation"
    # no tile server: every source is inline data, nothing to fetch
    assert all(
        src["type"] == "geojson" and isinstance(src["data"], dict) for src in sources.values()
    )


def test_choropleth_english_and_tiles(drawn: FeatureCollection) -> None:
    fig = ward_choropleth(
        drawn,
        {CODES[0]: 1234.5},
        metric_label="Density",
        unit="per km²",
        lang="en",
        tile_url="https://tiles.example/{z}/{x}/{y}.png",
        dark=False,
    )
    row = fig.data[0].customdata[0]
    assert row[1] == "Ward 5" and row[2] == "1,234.5 per km²"
    assert fig.data[0].customdata[1][2] == "no data"
    assert fig.layout.map.style["sources"]["tiles"]["tiles"] == [
        "https://tiles.example/{z}/{x}/{y}.png"
    ]
    assert "Ward 5" in fig.data[1].text


def test_categorical_colours(drawn: FeatureCollection) -> None:
    cats = {w.code: ("Phường" if w.kind == "ward" else "Xã") for w in wards()}
    del cats[CODES[-1]]
    colours = {"Phường": "#0000ff", "Xã": "#00ff00"}
    fig = ward_choropleth(
        drawn, {}, metric_label="Loại", unit="", categories=cats, category_colors=colours
    )
    trace = fig.data[0]
    z = dict(zip(trace.locations, trace.z, strict=True))
    for code, cat in cats.items():
        assert _colour_at(trace, z[code]) == colours[cat]
    assert _colour_at(trace, z[CODES[-1]]) == GREY
    assert list(trace.colorbar.ticktext) == ["Phường", "Xã", "không có dữ liệu"]


def test_schematic_notice(schematic: FeatureCollection) -> None:
    fig = ward_choropleth(schematic, {}, metric_label="x", unit="")
    (text,) = _notice(fig)
    assert "Sơ đồ minh họa – không phải ranh giới thật" in text
    assert "Schematic – not real boundaries" in text
    assert _notice(covid_map(schematic, pd.DataFrame(columns=["code", "level"])))


@pytest.mark.parametrize(
    ("cases", "vacc", "level"),
    [
        (0, 90, 1),
        (19.9, None, 1),
        (20, 90, 2),
        (49.9, 70, 2),
        (50, 80, 3),
        (150, 80, 4),
        (10, 60, 2),  # low coverage raises one level
        (100, 10, 4),
        (500, 10, 4),  # never above 4
        (10, float("nan"), 1),
    ],
)
def test_epidemic_level(cases: float, vacc: float | None, level: int) -> None:
    assert epidemic_level(cases, vacc) == level


def test_epidemic_level_unknown_coverage_does_not_raise() -> None:
    assert epidemic_level(0, None) == 1 and epidemic_level(0, float("nan")) == 1
    assert epidemic_level(0, 10.0) == 2


def test_view_fits_the_panel(drawn: FeatureCollection) -> None:
    _, square = view(drawn, (680, 680))
    _, wide_low = view(drawn, (1400, 340))
    assert wide_low < square  # the height limits a wide, low panel
    assert view(drawn, (1360, 1360))[1] == pytest.approx(square + 1, abs=0.05)


def test_epidemic_level_custom_thresholds() -> None:
    assert epidemic_level(30, 80, thresholds=(40, 80, 120)) == 1
    assert epidemic_level(30, 80, vaccination_threshold_pct=90) == 3


def test_covid_map_colours_and_hover(drawn: FeatureCollection) -> None:
    levels = {c: (i % 4) + 1 for i, c in enumerate(CODES[:-1])}
    table = pd.DataFrame(
        [
            {"code": c, "cases_per_100k_week": 12.5 * lv, "vaccination_pct": 75.0, "level": lv}
            for c, lv in levels.items()
        ]
    )
    fig = covid_map(drawn, table)
    assert [t.name for t in fig.data] == ["wards", "labels"]
    trace = fig.data[0]
    assert list(trace.locations) == CODES
    z = dict(zip(trace.locations, trace.z, strict=True))
    for code, lv in levels.items():
        assert _colour_at(trace, z[code]) == LEVEL_COLORS[lv]
    assert _colour_at(trace, z[CODES[-1]]) == GREY
    row = next(r for r in trace.customdata if r[0] == CODES[1])
    assert row[2] == "25,0" and row[3] == "75,0 %" and row[4] == t("covid.level.2")
    assert list(trace.colorbar.ticktext)[:4] == ["Cấp 1", "Cấp 2", "Cấp 3", "Cấp 4"]
    assert trace.colorbar.orientation == "h"  # a slim strip under the map, not a third of it
    assert "Tỷ lệ tiêm vắc xin" in trace.hovertemplate
    assert t("covid.level.1") == "Cấp 1 – Nguy cơ thấp (xanh)"
    assert t("covid.level.4") == "Cấp 4 – Nguy cơ rất cao (đỏ)"


def test_layers_append_one_trace_each(drawn: FeatureCollection) -> None:
    n = 300
    devices = pd.DataFrame(
        {
            "device_id": [f"d{i}" for i in range(n)],
            "lat": [10.53] * n,
            "lon": [106.41] * n,
            "domain": ["air"] * n,
            "state": (["ok", "warning", "alarm", "offline", "weird", "late", "no_data"] * n)[:n],
            "label": [f"Cảm biến {i}" for i in range(n)],
        }
    )
    fig = ward_choropleth(drawn, {}, metric_label="x", unit="")
    device_layer(fig, devices)
    assert len(fig.data) == 3
    markers = fig.data[2]
    assert markers.mode == "markers" and len(markers.lon) == n
    assert list(markers.marker.color[:7]) == [
        STATE_COLORS["ok"],
        STATE_COLORS["warning"],
        STATE_COLORS["alarm"],
        STATE_COLORS["offline"],
        STATE_COLORS["no_data"],
        STATE_COLORS["late"],
        STATE_COLORS["no_data"],
    ]
    legend = next(a.text for a in fig.layout.annotations if "●" in a.text)
    assert all(t(f"state.{s}") in legend for s in STATE_COLORS)
    assert markers.customdata[0][0] == "d0" and markers.marker.size <= 10
    incidents = pd.DataFrame(
        {"id": [1, 2], "lat": [10.5, 10.52], "lon": [106.4, 106.41],
         "severity": ["low", "critical"], "title": ["Ngập", "Cháy"]}
    )  # fmt: skip
    reports = pd.DataFrame(
        {"id": [7], "lat": [10.51], "lon": [106.42], "category": ["rác"], "status": ["new"]}
    )
    incident_layer(fig, incidents)
    report_layer(fig, reports)
    assert len(fig.data) == 5
    assert fig.data[3].customdata[1][0] == "2" and fig.data[3].customdata[1][1] == "Cháy"
    assert fig.data[4].customdata[0][1] == "rác"


def test_dark_theme(drawn: FeatureCollection) -> None:
    dark = ward_choropleth(drawn, {}, metric_label="x", unit="", dark=True)
    light = ward_choropleth(drawn, {}, metric_label="x", unit="", dark=False)
    assert (
        dark.layout.paper_bgcolor == map_style(None, True)["layers"][0]["paint"]["background-color"]
    )
    assert dark.layout.paper_bgcolor != light.layout.paper_bgcolor
    assert dark.layout.font.color != light.layout.font.color
