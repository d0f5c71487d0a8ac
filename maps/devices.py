"""Device markers layered on the wards, coloured by state.

One ``Scattermap`` trace named ``devices`` (small markers, hover text, no
per-device text labels, so hundreds stay readable); ``customdata[i][0]`` is
the device id.  A legend of the state colours is added as an annotation
because a single trace has a single legend entry.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from maps.base import note
from vocab.states import DEVICE_STATES, STATE_COLORS
from vocab.text import t

__all__ = ["STATE_COLORS", "device_layer"]


def device_layer(fig: go.Figure, devices: pd.DataFrame, lang: str = "vi") -> go.Figure:
    """Append the ``devices`` trace.

    ``devices`` columns: device_id, lat, lon, domain, state (one of
    :data:`vocab.states.DEVICE_STATES`), label.  Unknown states are drawn as no data.
    """
    states = [s if s in STATE_COLORS else "no_data" for s in devices["state"].astype(str)]
    state_text = [t(f"state.{s}", lang) for s in states]
    customdata = list(
        zip(
            devices["device_id"].astype(str),
            devices["label"].astype(str),
            devices["domain"].astype(str),
            state_text,
            strict=True,
        )
    )
    hover = (
        "<b>%{customdata[1]}</b><br>"
        f"{t('maps.device', lang)}: %{{customdata[0]}}<br>"
        f"{t('maps.domain', lang)}: %{{customdata[2]}}<br>"
        f"{t('maps.state', lang)}: %{{customdata[3]}}<extra></extra>"
    )
    fig.add_trace(
        go.Scattermap(
            lon=devices["lon"].astype(float).tolist(),
            lat=devices["lat"].astype(float).tolist(),
            mode="markers",
            marker={
                "size": 9,
                "color": [STATE_COLORS[s] for s in states],  # type: ignore[index]
                "opacity": 0.95,
            },
            customdata=customdata,
            hovertemplate=hover,
            name=t("maps.device", lang),
            showlegend=False,
        )
    )
    legend = "   ".join(
        f"<span style='color:{STATE_COLORS[state]}'>●</span> {t(f'state.{state}', lang)}"
        for state in DEVICE_STATES
    )
    note(fig, legend, name="device-states", where=(0.99, 0.01, "right", "bottom"))
    return fig
