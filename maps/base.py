"""What every map figure shares: the offline basemap, the theme, the view, labels and notices.

There is no tile server by default: the map style is a MapLibre style with a
plain background and no sources, so a figure renders on a closed network; the
wards themselves are the basemap.  ``tile_url`` (an XYZ template) adds a
raster layer under the wards.  The style has no ``glyphs`` URL, so text (ward
names) is drawn with the browser's local fonts: no font server either.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

import plotly.graph_objects as go

from maps.labels import t

__all__ = [
    "DARK",
    "GREY",
    "LIGHT",
    "base_figure",
    "feature_index",
    "is_schematic",
    "label_trace",
    "map_style",
    "note",
    "ward_name",
]

GREY = "#6b7280"

DARK = {"bg": "#0b1220", "text": "#e5e7eb", "line": "#cbd5e1", "label": "#f8fafc"}
LIGHT = {"bg": "#f4f6f8", "text": "#111827", "line": "#1f2937", "label": "#111827"}

# MapLibre draws the world 512 px wide at zoom 0; fit the city in about this many pixels.
_FIT_PX = 680.0


def theme(dark: bool) -> dict[str, str]:
    return DARK if dark else LIGHT


def map_style(tile_url: str | None, dark: bool) -> dict[str, Any]:
    """A MapLibre style that needs no network unless ``tile_url`` is given."""
    # MapLibre requires a "sources" key; an empty {} does not survive every JSON
    # path to the browser (it was dropped under gunicorn), so carry an empty one.
    sources: dict[str, Any] = {
        "none": {"type": "geojson", "data": {"type": "FeatureCollection", "features": []}}
    }
    layers: list[dict[str, Any]] = [
        {"id": "background", "type": "background", "paint": {"background-color": theme(dark)["bg"]}}
    ]
    if tile_url:
        sources["tiles"] = {"type": "raster", "tiles": [tile_url], "tileSize": 256}
        layers.append({"id": "tiles", "type": "raster", "source": "tiles"})
    return {"version": 8, "sources": sources, "layers": layers}


def is_schematic(features: Mapping[str, Any]) -> bool:
    return bool(features.get("schematic")) or any(
        f.get("properties", {}).get("schematic") for f in features.get("features", [])
    )


def feature_index(features: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    """Feature properties by ward code, in the collection's order."""
    return {str(f["properties"]["code"]): f["properties"] for f in features["features"]}


def ward_name(props: Mapping[str, Any], lang: str) -> str:
    if lang == "en":
        return str(props.get("name_en") or props.get("name") or props["code"])
    return str(props.get("name") or props["code"])


def _bounds(features: Mapping[str, Any]) -> tuple[float, float, float, float]:
    xs: list[float] = []
    ys: list[float] = []

    def walk(coords: Any) -> None:
        if coords and isinstance(coords[0], (int, float)):
            xs.append(float(coords[0]))
            ys.append(float(coords[1]))
        else:
            for c in coords:
                walk(c)

    for f in features["features"]:
        walk(f["geometry"]["coordinates"])
    return min(xs), min(ys), max(xs), max(ys)


def view(features: Mapping[str, Any]) -> tuple[dict[str, float], float]:
    """Centre and zoom that fit every feature (Plotly map traces have no fitbounds)."""
    minx, miny, maxx, maxy = _bounds(features)
    span = max(maxx - minx, (maxy - miny) / math.cos(math.radians((miny + maxy) / 2)), 1e-4)
    zoom = math.log2(_FIT_PX * 360.0 / (512.0 * span))
    return {"lon": (minx + maxx) / 2, "lat": (miny + maxy) / 2}, round(zoom, 2)


def base_figure(
    features: Mapping[str, Any],
    *,
    title: str | None,
    tile_url: str | None,
    dark: bool,
    lang: str,
) -> go.Figure:
    """An empty figure with the basemap style, view, theme and the schematic notice if needed."""
    colours = theme(dark)
    center, zoom = view(features)
    fig = go.Figure()
    fig.update_layout(
        map={"style": map_style(tile_url, dark), "center": center, "zoom": zoom},
        paper_bgcolor=colours["bg"],
        plot_bgcolor=colours["bg"],
        font={"color": colours["text"], "size": 14},
        margin={"l": 0, "r": 0, "t": 48 if title else 8, "b": 0},
        title={"text": title, "x": 0.01} if title else None,
        showlegend=True,
        legend={"bgcolor": "rgba(0,0,0,0)", "x": 0.01, "y": 0.02, "yanchor": "bottom"},
        hoverlabel={"font": {"size": 14}},
        uirevision="wards",
    )
    if is_schematic(features):
        note(
            fig,
            f"⚠ {t('maps.schematic', 'vi')} / {t('maps.schematic', 'en')}",
            name="schematic",
            where=(0.5, 0.99, "center", "top"),
            colours=("#fbbf24", "#111827"),
        )
    return fig


def note(
    fig: go.Figure,
    text: str,
    *,
    name: str,
    where: tuple[float, float, str, str],
    colours: tuple[str, str] = ("rgba(15,23,42,0.75)", "#f8fafc"),
) -> None:
    """A boxed text annotation in paper coordinates: ``where`` = (x, y, xanchor, yanchor)."""
    x, y, xanchor, yanchor = where
    fig.add_annotation(
        text=text,
        xref="paper",
        yref="paper",
        x=x,
        y=y,
        xanchor=xanchor,
        yanchor=yanchor,
        showarrow=False,
        bgcolor=colours[0],
        font={"color": colours[1], "size": 14},
        borderpad=6,
        name=name,
    )


def label_trace(features: Mapping[str, Any], *, lang: str, dark: bool) -> go.Scattermap:
    """Ward names as a text layer (no hover, so it never hides the choropleth's)."""
    props = list(feature_index(features).values())
    return go.Scattermap(
        lon=[p.get("label_lon") for p in props],
        lat=[p.get("label_lat") for p in props],
        text=[ward_name(p, lang) for p in props],
        mode="text",
        textfont={"size": 12, "color": theme(dark)["label"]},
        hoverinfo="skip",
        showlegend=False,
        name="labels",
    )
