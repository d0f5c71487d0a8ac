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
import shapely
from shapely.geometry import shape

from vocab.text import t_both

__all__ = [
    "DARK",
    "DEFAULT_VIEW_PX",
    "GREY",
    "LIGHT",
    "base_figure",
    "feature_index",
    "is_schematic",
    "label_trace",
    "map_style",
    "note",
    "view",
    "ward_name",
]

GREY = "#6b7280"

DARK = {"bg": "#0b1220", "text": "#e5e7eb", "line": "#cbd5e1", "label": "#f8fafc"}
LIGHT = {"bg": "#f4f6f8", "text": "#111827", "line": "#1f2937", "label": "#111827"}

# MapLibre draws the world 512 px wide at zoom 0.  Without a panel size, fit the city in
# a square of this many pixels; the margin keeps the outer wards clear of the panel edge.
DEFAULT_VIEW_PX = (680, 680)
_FIT_MARGIN_PX = 24.0


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
    """(min lon, min lat, max lon, max lat) of every feature's geometry."""
    xmin, ymin, xmax, ymax = shapely.total_bounds(
        [shape(f["geometry"]) for f in features["features"]]
    )
    return float(xmin), float(ymin), float(xmax), float(ymax)


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


def view(
    features: Mapping[str, Any], size_px: tuple[float, float] = DEFAULT_VIEW_PX
) -> tuple[dict[str, float], float]:
    """Centre and zoom that fit every feature in a panel of ``size_px`` = (width, height).

    Plotly map traces have no fitbounds: the zoom is the largest at which both the
    longitude span and the Web-Mercator latitude span fit inside the panel, less a margin.
    """
    minx, miny, maxx, maxy = _bounds(features)
    width = max(size_px[0] - 2 * _FIT_MARGIN_PX, 50.0)
    height = max(size_px[1] - 2 * _FIT_MARGIN_PX, 50.0)
    span_x = max(maxx - minx, 1e-4) / 360.0  # share of the world's width
    span_y = max(_mercator_y(maxy) - _mercator_y(miny), 1e-6) / (2 * math.pi)
    zoom = math.log2(min(width / (512.0 * span_x), height / (512.0 * span_y)))
    center_lat = math.degrees(
        2 * math.atan(math.exp((_mercator_y(miny) + _mercator_y(maxy)) / 2)) - math.pi / 2
    )
    return {"lon": (minx + maxx) / 2, "lat": center_lat}, round(zoom, 2)


def base_figure(
    features: Mapping[str, Any],
    *,
    title: str | None,
    tile_url: str | None,
    dark: bool,
    lang: str,
    size_px: tuple[float, float] = DEFAULT_VIEW_PX,
) -> go.Figure:
    """An empty figure with the basemap style, view, theme and the schematic notice if needed.

    ``size_px`` is the panel the figure is drawn in (the view fits the wards in it);
    the figure has no fixed size and fills its container (``autosize``).
    """
    colours = theme(dark)
    top = 48 if title else 8
    center, zoom = view(features, (size_px[0], size_px[1] - top))
    fig = go.Figure()
    fig.update_layout(
        map={"style": map_style(tile_url, dark), "center": center, "zoom": zoom},
        paper_bgcolor=colours["bg"],
        plot_bgcolor=colours["bg"],
        font={"color": colours["text"], "size": 14},
        autosize=True,
        margin={"l": 0, "r": 0, "t": top, "b": 0},
        title={"text": title, "x": 0.01} if title else None,
        showlegend=True,
        legend={"bgcolor": "rgba(0,0,0,0)", "x": 0.01, "y": 0.02, "yanchor": "bottom"},
        hoverlabel={"font": {"size": 14}},
        uirevision="wards",
    )
    if is_schematic(features):
        note(
            fig,
            f"⚠ {t_both('maps.schematic')}",
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
