"""Text from the field is shown as text (issue 12, finding 12): no markup in Plotly hover
labels, no bidirectional overrides on the wall."""

from __future__ import annotations

import json

import pandas as pd
import plotly.graph_objects as go
from hypothesis import given
from hypothesis import strategies as st
from plotly.utils import PlotlyJSONEncoder

from maps.incidents import incident_layer, report_layer
from vocab.safe_text import display_text, plotly_text
from widgets.tables import simple_table, ticker

MARKUP = '<b>to</b> <span style="font-size:90px">X</span> <a href="https://evil.example">link</a>'
RLO = "Ngập \u202eđường Hùng Vương"


def test_plotly_text_escapes_markup_and_strips_bidi() -> None:
    assert plotly_text(MARKUP).startswith("&lt;b&gt;to&lt;/b&gt; &lt;span")
    assert plotly_text("a & b") == "a &amp; b"
    assert display_text(RLO) == "Ngập đường Hùng Vương"
    assert display_text("hai\ndòng\u200b\u2066x\u2069") == "hai\ndòngx"
    assert display_text(None) == ""


@given(st.text())
def test_no_markup_or_bidi_survives(text: str) -> None:
    out = plotly_text(text)
    assert "<" not in out and ">" not in out
    assert not any(c in out for c in "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _hover_data(fig: go.Figure) -> str:
    return json.dumps([list(map(list, tr.customdata)) for tr in fig.data], ensure_ascii=False)


def test_wall_map_hover_shows_markup_as_text() -> None:
    """Markup in an alert's text rendered inside the wall map's hover label."""
    incidents = pd.DataFrame(
        [{"id": 7, "lat": 10.5, "lon": 106.4, "severity": "high", "title": MARKUP + RLO}]
    )
    reports = pd.DataFrame(
        [{"id": "r<1>", "lat": 10.5, "lon": 106.4, "category": "<i>x</i>", "status": "new"}]
    )
    data = _hover_data(report_layer(incident_layer(go.Figure(), incidents), reports))
    assert "<b>" not in data and "<span" not in data and "<a " not in data and "<i>" not in data
    assert "&lt;b&gt;to" in data and "\u202e" not in data and "r&lt;1&gt;" in data


def test_tables_and_ticker_strip_bidi() -> None:
    table = simple_table(["t"], [[RLO]])
    line = ticker([("high", "08:00", RLO)], "")
    for component in (table, line):
        text = json.dumps(component, cls=PlotlyJSONEncoder, ensure_ascii=False)
        assert "Ngập đường" in text and "\u202e" not in text
