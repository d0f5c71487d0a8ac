"""The page panel: a titled box around a page's content (a table, a chart, a map)."""

from __future__ import annotations

from typing import Any

from dash import html
from dash.development.base_component import Component

__all__ = ["panel"]


def panel(
    title: str | None, *body: Component, title_id: str | None = None, kind: str = ""
) -> html.Div:
    """``title`` over ``body`` in a ``panel`` box; ``kind`` adds a CSS class (``"wall-map"``).

    ``title_id`` names the title for a callback that fills it in (``title`` is then None).
    """
    title_props: dict[str, Any] = {"className": "panel-title"}
    if title_id is not None:
        title_props["id"] = title_id
    head = html.Div(title, **title_props) if title is not None else html.Div(**title_props)
    return html.Div([head, *body], className=f"panel {kind}".strip())
