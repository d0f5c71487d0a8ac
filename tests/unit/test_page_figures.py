"""The pages' ward map: the metric's labels and the incident layer speak the page's language."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from geodata.features import ward_features
from ioc.contract.catalogue import metric
from ioc.pages._figures import metric_options, parse_metric, ward_metric_map
from ioc.store.records import IncidentRow

AT = datetime(2026, 11, 26, 8, 0, tzinfo=UTC)
INCIDENTS = [
    IncidentRow(1, AT, AT, "27694", "alerts", "traffic.accident", "high", "open", "Tai nạn",
                10.535, 106.41),
    IncidentRow(2, AT, AT, "27697", "water", "level.alarm", "critical", "open", "Ngập", None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("lang", "layer", "label"), [("vi", "Sự cố", "Bụi PM2.5"), ("en", "Incident", "PM2.5")]
)
def test_ward_map_in_the_page_language(lang: str, layer: str, label: str) -> None:
    fig = ward_metric_map(
        ward_features([]), {"27694": 42.0}, metric("air", "pm25"), lang, INCIDENTS
    )
    assert [t.name for t in fig.data] == ["wards", "labels", layer]
    assert len(fig.data[2].lon) == 1  # only located incidents are drawn
    assert label in fig.data[0].hovertemplate


def test_metric_choices() -> None:
    assert parse_metric("water.level_m")[:2] == ("water", "level_m")
    assert parse_metric("nope.x")[:2] == parse_metric(None)[:2] == ("air", "pm25")
    assert metric_options("noise", "en") == [{"label": "Noise level", "value": "noise.laeq_db"}]


@pytest.mark.parametrize(
    ("lang", "band"), [("vi", "Trung bình (51–100)"), ("en", "Moderate (51–100)")]
)
def test_particulates_are_coloured_by_vn_aqi_band(lang: str, band: str) -> None:
    # PM2.5 42 µg/m³ -> sub-index 2 * (42 - 25) + 50 = 84: moderate, yellow; the legend
    # names all six bands whatever the data, and a ward without a value is "no data".
    fig = ward_metric_map(ward_features([]), {"27694": 42.0}, metric("air", "pm25"), lang)
    wards = fig.data[0]
    names = list(wards.colorbar.ticktext)
    assert len(names) == 7 and names[1] == band
    z = dict(zip(wards.locations, wards.z, strict=True))
    assert z["27694"] == 1 and z["27697"] == 6  # the "no data" class
    assert wards.colorscale[2][1] == "#ffff00"
    level = ward_metric_map(ward_features([]), {"27694": 1.2}, metric("water", "level_m"), lang)
    assert level.data[0].colorbar.ticktext is None or "Tốt" not in level.data[0].colorbar.ticktext
