"""Tables: incidents, device values, any simple rows; and the incident ticker."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dash import html

from vocab.safe_text import display_text

__all__ = ["simple_table", "ticker"]


def simple_table(
    headers: Sequence[str],
    rows: Sequence[Sequence[object]],
    *,
    table_id: str | None = None,
    row_classes: Sequence[str] | None = None,
    empty: str = "",
) -> html.Div | html.Table:
    """A plain HTML table of already formatted cells (strings or components)."""
    if not rows:
        return html.Div(empty, className="empty")
    body = [
        html.Tr(
            [html.Td(display_text(c) if isinstance(c, str) else c) for c in row],  # type: ignore[arg-type]
            className=row_classes[i] if row_classes else None,
        )
        for i, row in enumerate(rows)
    ]
    extra: dict[str, Any] = {"id": table_id} if table_id else {}
    return html.Table(
        [html.Thead(html.Tr([html.Th(h) for h in headers])), html.Tbody(body)],
        className="ioc-table",
        **extra,
    )


def ticker(items: Sequence[tuple[str, str, str]], empty: str) -> html.Div:
    """A scrolling line of (severity css class, time, text) items, newest first."""
    if not items:
        return html.Div(html.Span(empty, className="ticker-item"), className="ticker")
    spans = [
        html.Span([html.B(when + " "), display_text(text)], className=f"ticker-item sev-{sev}")
        for sev, when, text in items
    ]
    return html.Div(html.Div(spans, className="ticker-track"), className="ticker")
