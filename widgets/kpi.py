"""KPI tiles and the per-panel error box: small Dash components from ready-made text."""

from __future__ import annotations

from dash import html

__all__ = ["error_box", "kpi_tile", "kpi_tile_rows"]


def kpi_tile(
    tile_id: str,
    label: str,
    value: str,
    *,
    detail: str = "",
    state: str = "ok",
    accent: str | None = None,
) -> html.Div:
    """One tile: a label, a big value and a detail line; ``state`` is ok | warning | alarm."""
    style = {"borderTopColor": accent} if accent else None
    return html.Div(
        [
            html.Div(label, className="kpi-label"),
            html.Div(value, className="kpi-value", id=f"{tile_id}-value"),
            html.Div(detail, className="kpi-detail"),
        ],
        id=tile_id,
        className=f"kpi kpi-{state}",
        style=style,
    )


def kpi_tile_rows(label: str, rows: list[tuple[str, str, str]], tile_id: str) -> html.Div:
    """A tile of several (label, value, css-class) counts side by side, e.g. incidents by severity.

    Each count sits above its label (``kpi-sev``), so long labels such as
    "Nghiêm trọng" stay on one line.
    """
    return html.Div(
        [
            html.Div(label, className="kpi-label"),
            html.Div(
                [
                    html.Div(
                        [
                            html.Span(v, className="kpi-sev-value"),
                            html.Span(k, className="kpi-sev-label"),
                        ],
                        className=f"kpi-sev {cls}",
                    )
                    for k, v, cls in rows
                ],
                className="kpi-rows",
            ),
        ],
        id=tile_id,
        className="kpi",
    )


def error_box(message: str, detail: str) -> html.Div:
    """What a panel shows when its builder failed: the message and a short technical reason."""
    return html.Div(
        [
            html.Div("⚠ " + message, className="error-title"),
            html.Div(detail, className="error-detail"),
        ],
        className="panel-error",
        role="alert",
    )
